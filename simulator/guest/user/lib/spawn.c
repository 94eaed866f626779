/* Starting programs of the built-in program table (the kernel's initramfs-like archive). */
#include "ulib.h"

char *getenv(const char *name)
{
	size_t n = strlen(name);
	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

int exec_prog(const char *name, char *const argv[])
{
	char path[256];
	const char *dir = getenv("BINDIR");
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "/bin", name);
	return execve(path, argv, environ);
}

pid_t spawn(const char *name, char *const argv[])
{
	pid_t pid = fork();
	if (pid == 0) {
		int r = exec_prog(name, argv);
		dprintf(2, "spawn: execve %s failed: %d\n", name, r);
		_exit(127);
	}
	return pid;
}
