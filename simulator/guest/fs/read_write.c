/*
 * fs/read_write.c — read(2) and write(2) (ULK3 §12.6.3 — extrapolated from 2.6.11): check the
 * descriptor and the user buffer, then let the file's own operation do the work (the tty, a pipe,
 * /proc/ps). The buffer is only range-checked here; the operation copies with copy_to_user /
 * copy_from_user, which turn a bad pointer into -EFAULT.
 */
#include <linux/sched.h>
#include <linux/fs.h>
#include <asm/uaccess.h>
#include <asm/errno.h>

asmlinkage ssize_t sys_read(unsigned int fd, char __user *buf, size_t count)
{
	struct file *file = fget(fd);
	if (!file)
		return -EBADF;
	ssize_t ret = -EBADF;
	if (!(file->f_mode & FMODE_READ))
		goto out;
	ret = -EFAULT;
	if (!access_ok(buf, count))
		goto out;
	ret = -EINVAL;
	if (file->f_op && file->f_op->read)
		ret = file->f_op->read(file, buf, count, &file->f_pos);
out:
	fput(file);
	return ret;
}

asmlinkage ssize_t sys_write(unsigned int fd, const char __user *buf, size_t count)
{
	struct file *file = fget(fd);
	if (!file)
		return -EBADF;
	ssize_t ret = -EBADF;
	if (!(file->f_mode & FMODE_WRITE))
		goto out;
	ret = -EFAULT;
	if (!access_ok(buf, count))
		goto out;
	ret = -EINVAL;
	if (file->f_op && file->f_op->write)
		ret = file->f_op->write(file, buf, count, &file->f_pos);
out:
	fput(file);
	return ret;
}
