#ifndef _LINUX_FS_H
#define _LINUX_FS_H
/*
 * Open files (ULK3 chapter 12 — extrapolated; the seeds only name task_struct's fs and files fields,
 * seed 003:1222–1230 for copy_files/copy_fs). ksim has no disk file system: the objects a process can
 * open are the console (/dev/console, the tty), pipes and the /proc/ps pseudo-file. Each is a
 * struct file with a table of operations, like in Linux; read(2)/write(2) only dispatch through it.
 *
 * files_struct is the file descriptor table (fd -> struct file). fork copies it (each file's f_count
 * goes up: parent and child then share the file and its offset); CLONE_FILES shares the table itself.
 * fs_struct holds the root, current directory and umask; CLONE_FS shares it. ksim has a single flat
 * namespace, so only umask is real.
 */
#include <linux/types.h>
#include <linux/linkage.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <asm/atomic.h>

struct file;
struct files_struct;
struct task_struct;

struct file_operations {
	ssize_t (*read)(struct file *file, char __user *buf, size_t count, loff_t *pos);
	ssize_t (*write)(struct file *file, const char __user *buf, size_t count, loff_t *pos);
	int (*release)(struct file *file);
};

#define FMODE_READ 1
#define FMODE_WRITE 2

#define O_ACCMODE 00000003
#define O_RDONLY 00000000
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_NONBLOCK 00004000

struct file {
	const struct file_operations *f_op;
	atomic_t f_count;		/* descriptors (in any process) that refer to this open file */
	unsigned int f_flags;		/* O_* given to open */
	unsigned int f_mode;		/* FMODE_READ | FMODE_WRITE */
	loff_t f_pos;			/* the file offset, shared by all descriptors of this open file */
	void *private_data;		/* the pipe, the tty, the /proc/ps text */
	const char *f_name;		/* "console", "pipe:[r]", "pipe:[w]", "/proc/ps" */
};

#define NR_OPEN_DEFAULT 32
struct files_struct {
	atomic_t count;			/* tasks sharing this table (CLONE_FILES) */
	spinlock_t file_lock;
	int next_fd;			/* lowest possibly free descriptor */
	struct file *fd_array[NR_OPEN_DEFAULT];
};

struct fs_struct {
	atomic_t count;			/* tasks sharing it (CLONE_FS) */
	spinlock_t lock;
	int umask;
};

/* fs/open.c */
struct file *get_empty_filp(void);
struct file *fget(unsigned int fd);
void fput(struct file *file);
int get_unused_fd(void);
void fd_install(unsigned int fd, struct file *file);
struct file *filp_open(const char *name, int flags);
asmlinkage long sys_close(unsigned int fd);
struct files_struct *dup_fd(struct files_struct *oldf, int *errorp);
void put_files_struct(struct files_struct *files);
/* fs/pipe.c */
long do_pipe(int *fd);
/* drivers/char/tty_io.c */
struct file *tty_open_console(void);
void console_init_tty(void);
#endif
