/*
 * fs/open.c — file descriptors and opening the few "files" ksim has (ULK3 §12.2.6 "Files associated
 * with a process", §12.6.1 "The open() system call" — extrapolated from 2.6.11).
 *
 * A file descriptor is an index into current->files->fd_array; the entry points to a struct file (an
 * open file: operations, offset, mode). Several descriptors — in one process (dup) or in several
 * (fork) — can point to the same struct file; f_count counts them, and the file is released with the
 * last one (fput). What can be opened:
 *   /dev/console, /dev/tty   the console tty on COM1 (drivers/char/tty_io.c)
 *   /proc/ps                 a snapshot of the process list, as text (for the shell's ps)
 * Pipes are made by pipe(2) (fs/pipe.c).
 */
#include <linux/sched.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/uaccess.h>
#include <asm/errno.h>

struct file *get_empty_filp(void)
{
	struct file *f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (f)
		atomic_set(&f->f_count, 1);
	return f;
}

/* fput: one descriptor less; the last one releases the file (closes the pipe end...). */
void fput(struct file *file)
{
	if (atomic_dec_and_test(&file->f_count)) {
		if (file->f_op && file->f_op->release)
			file->f_op->release(file);
		kfree(file);
	}
}

/* fget: the file behind descriptor fd, with a reference taken (or NULL). */
struct file *fget(unsigned int fd)
{
	struct files_struct *files = current->files;
	struct file *file = NULL;
	if (!files || fd >= NR_OPEN_DEFAULT)
		return NULL;
	spin_lock(&files->file_lock);
	file = files->fd_array[fd];
	if (file)
		atomic_inc(&file->f_count);
	spin_unlock(&files->file_lock);
	return file;
}

/* The lowest free descriptor (POSIX requires the lowest), reserved with a placeholder by fd_install. */
int get_unused_fd(void)
{
	struct files_struct *files = current->files;
	int fd = -EMFILE;
	spin_lock(&files->file_lock);
	for (int i = files->next_fd; i < NR_OPEN_DEFAULT; i++) {
		if (!files->fd_array[i]) {
			fd = i;
			files->next_fd = i + 1;
			break;
		}
	}
	spin_unlock(&files->file_lock);
	return fd;
}

void fd_install(unsigned int fd, struct file *file)
{
	struct files_struct *files = current->files;
	spin_lock(&files->file_lock);
	struct file *old = files->fd_array[fd];
	files->fd_array[fd] = file;
	spin_unlock(&files->file_lock);
	if (old)
		fput(old);
}

/* Install file at the lowest free descriptor, or drop it. */
static int install_new_fd(struct file *file)
{
	int fd = get_unused_fd();
	if (fd < 0) {
		fput(file);
		return fd;
	}
	fd_install(fd, file);
	return fd;
}

/* dup_fd: fork's copy of the descriptor table: same files, one more reference each. */
struct files_struct *dup_fd(struct files_struct *oldf, int *errorp)
{
	struct files_struct *newf = kzalloc(sizeof(*newf), GFP_KERNEL);
	if (!newf) {
		*errorp = -ENOMEM;
		return NULL;
	}
	atomic_set(&newf->count, 1);
	spin_lock_init(&newf->file_lock);
	if (oldf) {
		spin_lock(&oldf->file_lock);
		for (int i = 0; i < NR_OPEN_DEFAULT; i++) {
			newf->fd_array[i] = oldf->fd_array[i];
			if (newf->fd_array[i])
				atomic_inc(&newf->fd_array[i]->f_count);
		}
		newf->next_fd = oldf->next_fd;
		spin_unlock(&oldf->file_lock);
	}
	return newf;
}

void put_files_struct(struct files_struct *files)
{
	if (!atomic_dec_and_test(&files->count))
		return;
	for (int i = 0; i < NR_OPEN_DEFAULT; i++)
		if (files->fd_array[i])
			fput(files->fd_array[i]);
	kfree(files);
}

/* ---- /proc/ps ---- */

static char task_state_char(struct task_struct *p)
{
	if (p->exit_state == EXIT_ZOMBIE)
		return 'Z';
	if (p->exit_state == EXIT_DEAD)
		return 'X';
	switch (p->state) {
	case TASK_RUNNING:
		return 'R';
	case TASK_INTERRUPTIBLE:
		return 'S';
	case TASK_UNINTERRUPTIBLE:
		return 'D';
	case TASK_STOPPED:
		return 'T';
	default:
		return '?';
	}
}

#define PS_BUF_SIZE (2 * PAGE_SIZE)
struct ps_snapshot {
	int len;
	char text[PS_BUF_SIZE];
};

static ssize_t proc_ps_read(struct file *file, char __user *buf, size_t count, loff_t *pos)
{
	struct ps_snapshot *ps = file->private_data;
	if (*pos >= ps->len)
		return 0;
	size_t n = min((size_t)(ps->len - *pos), count);
	if (copy_to_user(buf, ps->text + *pos, n))
		return -EFAULT;
	*pos += n;
	return n;
}

static int proc_ps_release(struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static const struct file_operations proc_ps_fops = {
	.read = proc_ps_read,
	.release = proc_ps_release,
};

/* The text is made at open time, under tasklist_lock: a consistent snapshot. Kernel threads are shown
 * in brackets, as ps does. */
static struct file *proc_ps_open(void)
{
	struct ps_snapshot *ps = kmalloc(sizeof(*ps), GFP_KERNEL);
	struct file *f = get_empty_filp();
	if (!ps || !f) {
		kfree(ps);
		kfree(f);
		return NULL;
	}
	int n = snprintf(ps->text, PS_BUF_SIZE, "  PID  PPID  TGID S CPU PRI NICE POLICY     VM COMMAND\n");
	struct task_struct *p;
	read_lock(&tasklist_lock);
	for_each_process(p) {
		if (n >= PS_BUF_SIZE - 80)
			break;
		int kthread = !p->mm;
		n += snprintf(ps->text + n, PS_BUF_SIZE - n, "%5d %5d %5d %c %3d %3d %4d %-6s %6luK %s%s%s\n", p->pid,
			      p->real_parent ? p->real_parent->tgid : 0, p->tgid, task_state_char(p), task_cpu(p),
			      p->prio, TASK_NICE(p),
			      p->policy == SCHED_FIFO ? "FIFO" : p->policy == SCHED_RR ? "RR" : "OTHER",
			      p->mm ? p->mm->total_vm * (PAGE_SIZE / 1024) : 0UL, kthread ? "[" : "", p->comm,
			      kthread ? "]" : "");
	}
	read_unlock(&tasklist_lock);
	ps->len = n < PS_BUF_SIZE ? n : PS_BUF_SIZE - 1;
	f->f_op = &proc_ps_fops;
	f->f_mode = FMODE_READ;
	f->private_data = ps;
	f->f_name = "/proc/ps";
	return f;
}

/* filp_open: the struct file for a name, or NULL if there is no such file. */
struct file *filp_open(const char *name, int flags)
{
	struct file *f = NULL;
	if (!strcmp(name, "/dev/console") || !strcmp(name, "/dev/tty") || !strcmp(name, "/dev/ttyS0"))
		f = tty_open_console();
	else if (!strcmp(name, "/proc/ps"))
		f = proc_ps_open();
	if (f && f->f_op != &proc_ps_fops) {
		int acc = flags & O_ACCMODE;
		f->f_mode = (acc == O_RDONLY ? FMODE_READ : acc == O_WRONLY ? FMODE_WRITE : FMODE_READ | FMODE_WRITE);
	}
	if (f)
		f->f_flags = flags;
	return f;
}

asmlinkage long sys_open(const char __user *filename, int flags, int mode)
{
	char name[64];
	(void)mode;
	long len = strncpy_from_user(name, filename, sizeof(name));
	if (len < 0)
		return len;
	if (len >= (long)sizeof(name))
		return -ENOENT;
	if (!current->files)
		return -EMFILE;
	struct file *f = filp_open(name, flags);
	if (!f)
		return -ENOENT;
	return install_new_fd(f);
}

asmlinkage long sys_close(unsigned int fd)
{
	struct files_struct *files = current->files;
	if (!files || fd >= NR_OPEN_DEFAULT)
		return -EBADF;
	spin_lock(&files->file_lock);
	struct file *file = files->fd_array[fd];
	if (!file) {
		spin_unlock(&files->file_lock);
		return -EBADF;
	}
	files->fd_array[fd] = NULL;
	if ((int)fd < files->next_fd)
		files->next_fd = fd;
	spin_unlock(&files->file_lock);
	fput(file);
	return 0;
}

asmlinkage long sys_dup(unsigned int fildes)
{
	struct file *file = fget(fildes);
	if (!file)
		return -EBADF;
	return install_new_fd(file);
}

asmlinkage long sys_dup2(unsigned int oldfd, unsigned int newfd)
{
	if (newfd >= NR_OPEN_DEFAULT)
		return -EBADF;
	struct file *file = fget(oldfd);
	if (!file)
		return -EBADF;
	if (oldfd == newfd) {
		fput(file);
		return newfd;
	}
	fd_install(newfd, file);
	return newfd;
}
