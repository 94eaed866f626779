/*
 * fs/pipe.c — pipes (ULK3 §19.1 "Pipes" — extrapolated from 2.6.11 fs/pipe.c).
 *
 * A pipe is a one-page circular buffer with two ends: pipe(2) returns a descriptor for reading and one
 * for writing, and fork shares them between producer and consumer. Both ends sleep on the same wait
 * queue (TASK_INTERRUPTIBLE):
 *   - read on an empty pipe sleeps until a writer adds data — or returns 0 (end of file) when no writer
 *     is left; it returns as soon as it got some bytes;
 *   - write into a full pipe sleeps until a reader makes room; with no reader left it gets -EPIPE and
 *     the SIGPIPE signal.
 * Each side wakes the other after moving bytes. The buffer is protected by a semaphore (Linux: the
 * inode's i_sem), a sleeping lock, because copy_to_user/copy_from_user may sleep in a page fault.
 */
#include <linux/sched.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/uaccess.h>
#include <asm/errno.h>
#include <asm/semaphore.h>

#define PIPE_SIZE PAGE_SIZE

struct pipe_inode_info {
	wait_queue_head_t wait;		/* readers and writers waiting for data or room */
	struct semaphore sem;
	char *base;			/* the page */
	unsigned int start;		/* offset of the first unread byte */
	unsigned int len;		/* bytes in the pipe */
	unsigned int readers;		/* open read ends */
	unsigned int writers;		/* open write ends */
};

/* Sleep until woken (data, room, or an end closed). Called with the semaphore held; retakes it. */
static void pipe_wait(struct pipe_inode_info *pipe)
{
	DEFINE_WAIT(wait);
	prepare_to_wait(&pipe->wait, &wait, TASK_INTERRUPTIBLE);
	up(&pipe->sem);
	schedule();
	finish_wait(&pipe->wait, &wait);
	down(&pipe->sem);
}

static ssize_t pipe_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	struct pipe_inode_info *pipe = file->private_data;
	ssize_t ret = 0;
	int do_wakeup = 0;
	(void)ppos;
	if (!count)
		return 0;
	down(&pipe->sem);
	for (;;) {
		if (pipe->len) {
			size_t chars = min(min((size_t)pipe->len, count), (size_t)(PIPE_SIZE - pipe->start));
			if (copy_to_user(buf, pipe->base + pipe->start, chars)) {
				if (!ret)
					ret = -EFAULT;
				break;
			}
			ret += chars;
			buf += chars;
			count -= chars;
			pipe->start = (pipe->start + chars) & (PIPE_SIZE - 1);
			pipe->len -= chars;
			do_wakeup = 1;
			if (!count)
				break;
			if (pipe->len)
				continue;	/* the data wrapped around the end of the page */
		}
		if (ret)
			break;		/* got something: do not wait for more */
		if (!pipe->writers)
			break;		/* empty and no writer: end of file */
		if (file->f_flags & O_NONBLOCK) {
			ret = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		pipe_wait(pipe);
	}
	up(&pipe->sem);
	if (do_wakeup)
		wake_up_interruptible(&pipe->wait);
	return ret;
}

static ssize_t pipe_write(struct file *file, const char __user *buf, size_t count, loff_t *ppos)
{
	struct pipe_inode_info *pipe = file->private_data;
	ssize_t ret = 0;
	int do_wakeup = 0;
	(void)ppos;
	if (!count)
		return 0;
	down(&pipe->sem);
	for (;;) {
		if (!pipe->readers) {
			/* Nobody will ever read this: SIGPIPE (default action: terminate) and -EPIPE. */
			send_sig(SIGPIPE, current, 0);
			if (!ret)
				ret = -EPIPE;
			break;
		}
		unsigned int free = PIPE_SIZE - pipe->len;
		if (free) {
			unsigned int end = (pipe->start + pipe->len) & (PIPE_SIZE - 1);
			size_t chars = min(min((size_t)free, count), (size_t)(PIPE_SIZE - end));
			if (copy_from_user(pipe->base + end, buf, chars)) {
				if (!ret)
					ret = -EFAULT;
				break;
			}
			ret += chars;
			buf += chars;
			count -= chars;
			pipe->len += chars;
			do_wakeup = 1;
			if (!count)
				break;
			continue;
		}
		/* Full: wake the readers and wait for room. */
		if (file->f_flags & O_NONBLOCK) {
			if (!ret)
				ret = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			if (!ret)
				ret = -ERESTARTSYS;
			break;
		}
		if (do_wakeup) {
			wake_up_interruptible_sync(&pipe->wait);
			do_wakeup = 0;
		}
		pipe_wait(pipe);
	}
	up(&pipe->sem);
	if (do_wakeup)
		wake_up_interruptible(&pipe->wait);
	return ret;
}

/* The last descriptor of one end is gone: the other side must learn it (EOF or EPIPE). */
static int pipe_release(struct file *file)
{
	struct pipe_inode_info *pipe = file->private_data;
	down(&pipe->sem);
	if (file->f_mode & FMODE_READ)
		pipe->readers--;
	if (file->f_mode & FMODE_WRITE)
		pipe->writers--;
	int last = !pipe->readers && !pipe->writers;
	up(&pipe->sem);
	if (last) {
		free_page((unsigned long)pipe->base);
		kfree(pipe);
	} else {
		wake_up_interruptible(&pipe->wait);
	}
	return 0;
}

static const struct file_operations read_pipe_fops = {
	.read = pipe_read,
	.release = pipe_release,
};

static const struct file_operations write_pipe_fops = {
	.write = pipe_write,
	.release = pipe_release,
};

/* do_pipe: fd[0] the read end, fd[1] the write end. */
long do_pipe(int *fd)
{
	struct pipe_inode_info *pipe = kzalloc(sizeof(*pipe), GFP_KERNEL);
	struct file *fr = get_empty_filp(), *fw = get_empty_filp();
	if (!pipe || !fr || !fw)
		goto nomem;
	pipe->base = (char *)__get_free_page(GFP_KERNEL);
	if (!pipe->base)
		goto nomem;
	init_waitqueue_head(&pipe->wait);
	init_MUTEX(&pipe->sem);
	pipe->readers = pipe->writers = 1;
	fr->f_op = &read_pipe_fops;
	fr->f_mode = FMODE_READ;
	fr->f_flags = O_RDONLY;
	fr->private_data = pipe;
	fr->f_name = "pipe:[read]";
	fw->f_op = &write_pipe_fops;
	fw->f_mode = FMODE_WRITE;
	fw->f_flags = O_WRONLY;
	fw->private_data = pipe;
	fw->f_name = "pipe:[write]";
	int r = get_unused_fd();
	if (r < 0)
		goto fail;
	fd_install(r, fr);
	int w = get_unused_fd();
	if (w < 0) {
		sys_close(r);	/* releases fr: readers 0 */
		fput(fw);	/* writers 0: frees the pipe */
		return w;
	}
	fd_install(w, fw);
	fd[0] = r;
	fd[1] = w;
	return 0;
nomem:
	r = -ENOMEM;
fail:
	if (pipe && pipe->base)
		free_page((unsigned long)pipe->base);
	kfree(pipe);
	kfree(fr);
	kfree(fw);
	return r;
}

asmlinkage long sys_pipe(int __user *fildes)
{
	int fd[2];
	if (!current->files)
		return -EMFILE;
	long error = do_pipe(fd);
	if (!error && copy_to_user(fildes, fd, sizeof(fd))) {
		sys_close(fd[0]);
		sys_close(fd[1]);
		error = -EFAULT;
	}
	return error;
}
