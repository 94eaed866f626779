/*
 * fs/exec.c — execve: replacing a process's program (ULK3 chapter 20 "Program Execution" —
 * extrapolated from 2.6.11 fs/exec.c and fs/binfmt_elf.c; the seeds mention only that process 1
 * execve()s init, seed 003:1367–1380).
 *
 * ksim has no disk: programs come from the initramfs-like table linked into the kernel
 * (user/initramfs_data.S: every user ELF and its name). do_execve:
 *   1. finds the image by the last component of the path ("/bin/forker" -> "forker") and checks its
 *      ELF header (static i386 executable) — errors here still return to the old program;
 *   2. copies argv and envp into the kernel, because the old address space is about to go;
 *   3. the point of no return, flush_old_exec: a fresh mm_struct replaces the old one (exec_mmap — a
 *      vfork parent is released here), other threads of the group are killed, signal handlers reset,
 *      the FPU state dropped;
 *   4. creates the memory regions: one per PT_LOAD segment ("text" r-x and "data" rw-, whose pages
 *      are read from the image on first touch), "bss" for the zero-filled rest of data, and the
 *      "stack" just below TASK_SIZE; the heap ("heap") appears with the first brk();
 *   5. writes argc, argv[], envp[] and the strings onto the new stack (the layout crt0 expects);
 *   6. start_thread: the saved user registers (pt_regs) now point to the ELF entry point and the new
 *      stack, so the system call's return to user mode starts the new program.
 */
#include <linux/sched.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/fs.h>
#include <asm/uaccess.h>
#include <asm/errno.h>
#include <asm/ptrace.h>
#include <asm/segment.h>
#include <asm/i387.h>

/* The program table of user/initramfs_data.S. */
struct initramfs_entry {
	const char *name;
	const unsigned char *data;
	unsigned long size;
};
extern const struct initramfs_entry initramfs_table[];

const struct initramfs_entry *find_initramfs_program(const char *path)
{
	const char *base = path;
	for (const char *p = path; *p; p++)
		if (*p == '/')
			base = p + 1;
	for (const struct initramfs_entry *e = initramfs_table; e->name; e++)
		if (!strcmp(e->name, base))
			return e;
	return NULL;
}

/* ---- ELF32 (the parts a static executable needs) ---- */
#define EI_NIDENT 16
struct elf32_hdr {
	unsigned char e_ident[EI_NIDENT];
	u16 e_type, e_machine;
	u32 e_version, e_entry, e_phoff, e_shoff, e_flags;
	u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};
struct elf32_phdr {
	u32 p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
};
#define ET_EXEC 2
#define EM_386 3
#define PT_LOAD 1
#define PT_INTERP 3
#define PF_X 1
#define PF_W 2
#define PF_R 4
#define AT_NULL 0
#define AT_PAGESZ 6
#define AT_ENTRY 9

#ifndef ENAMETOOLONG
#define ENAMETOOLONG 36
#endif
#define STACK_TOP TASK_SIZE
#define STACK_INIT_PAGES 32		/* the initial stack region: 128 KB, growing down from there */
#define MAX_ARG_BYTES (2 * PAGE_SIZE)	/* argv + envp strings (Linux: MAX_ARG_PAGES = 32 pages) */
#define MAX_ARG_STRINGS 64

/* Check the image: a static i386 executable whose segments lie inside the image and in user space. */
static int check_elf(const struct initramfs_entry *e)
{
	const struct elf32_hdr *h = (const struct elf32_hdr *)e->data;
	if (e->size < sizeof(*h) || memcmp(h->e_ident, "\177ELF", 4) || h->e_ident[4] != 1 /* ELFCLASS32 */ ||
	    h->e_ident[5] != 1 /* little endian */ || h->e_type != ET_EXEC || h->e_machine != EM_386 ||
	    h->e_phentsize != sizeof(struct elf32_phdr) || h->e_phnum == 0 || h->e_phnum > 16 ||
	    h->e_phoff > e->size || h->e_phnum * sizeof(struct elf32_phdr) > e->size - h->e_phoff)
		return -ENOEXEC;
	const struct elf32_phdr *ph = (const struct elf32_phdr *)(e->data + h->e_phoff);
	for (int i = 0; i < h->e_phnum; i++) {
		if (ph[i].p_type == PT_INTERP)
			return -ENOEXEC;	/* dynamically linked: no loader in ksim */
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (ph[i].p_offset > e->size || ph[i].p_filesz > e->size - ph[i].p_offset ||
		    ph[i].p_filesz > ph[i].p_memsz || ph[i].p_vaddr >= TASK_SIZE - 64 * PAGE_SIZE ||
		    ph[i].p_memsz > TASK_SIZE - 64 * PAGE_SIZE - ph[i].p_vaddr ||
		    (ph[i].p_vaddr & ~PAGE_MASK) != (ph[i].p_offset & ~PAGE_MASK))
			return -ENOEXEC;
	}
	return 0;
}

/* argv/envp gathered in the kernel while the old address space still exists. */
struct linux_binprm {
	char *buf;			/* the strings, back to back */
	unsigned long used;
	int argc, envc;
	char *argv[MAX_ARG_STRINGS];	/* pointers into buf */
	char *envp[MAX_ARG_STRINGS];
	char filename[64];
};

static int copy_strings(struct linux_binprm *bprm, char __user *const __user *uvec, char **kvec, int *count)
{
	*count = 0;
	if (!uvec)
		return 0;
	for (;;) {
		u32 up;
		if (get_user(up, (const u32 __user *)(uvec + *count)))
			return -EFAULT;
		if (!up)
			return 0;
		if (*count >= MAX_ARG_STRINGS - 1)
			return -E2BIG;
		long room = MAX_ARG_BYTES - bprm->used;
		long len = strncpy_from_user(bprm->buf + bprm->used, (const char __user *)up, room);
		if (len < 0)
			return len;
		if (len >= room)
			return -E2BIG;
		kvec[(*count)++] = bprm->buf + bprm->used;
		bprm->used += len + 1;
	}
}

/*
 * exec_mmap: switch current to the new, empty address space. The old one is released (mmput); a
 * kernel thread (init before its first exec) had only borrowed active_mm, so it drops that reference.
 */
static void exec_mmap(struct mm_struct *mm)
{
	struct task_struct *tsk = current;
	struct mm_struct *old_mm = tsk->mm;
	mm_release(tsk, old_mm);	/* wakes a vfork parent */
	preempt_disable();
	struct mm_struct *active_mm = tsk->active_mm;
	tsk->mm = mm;
	tsk->active_mm = mm;
	int cpu = smp_processor_id();
	clear_bit(cpu, &active_mm->cpu_vm_mask);
	set_bit(cpu, &mm->cpu_vm_mask);
	load_cr3(__pa(mm->pgd));	/* activate_mm */
	preempt_enable();
	if (old_mm)
		mmput(old_mm);
	else
		mmdrop(active_mm);
}

/* de_thread: an exec in a multi-threaded process kills the other threads first. */
static int de_thread(void)
{
	struct task_struct *tsk = current;
	if (thread_group_leader(tsk) && list_empty(&tsk->pids[PIDTYPE_TGID].pid_list))
		return 0;
	if (!thread_group_leader(tsk))
		return -EAGAIN;	/* simplification: only the group leader may exec while threads live */
	spin_lock_irq(&tsk->sighand->siglock);
	zap_other_threads(tsk);
	spin_unlock_irq(&tsk->sighand->siglock);
	/* Wait until they have released themselves (EXIT_DEAD threads leave the TGID list). */
	while (!list_empty(&tsk->pids[PIDTYPE_TGID].pid_list)) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		schedule_timeout(1);
	}
	return 0;
}

/* Make the signal handlers private (they may be shared with a vfork parent or threads), then reset. */
static int unshare_sighand(void)
{
	struct sighand_struct *old = current->sighand;
	if (old && atomic_read(&old->count) > 1) {
		struct sighand_struct *sh = kzalloc(sizeof(*sh), GFP_KERNEL);
		if (!sh)
			return -ENOMEM;
		spin_lock_init(&sh->siglock);
		atomic_set(&sh->count, 1);
		memcpy(sh->action, old->action, sizeof(sh->action));
		spin_lock_irq(&old->siglock);
		current->sighand = sh;
		spin_unlock_irq(&old->siglock);
		if (atomic_dec_and_test(&old->count))
			kfree(old);
	}
	if (current->sighand)
		flush_signal_handlers(current, 0);
	return 0;
}

/*
 * When the init kernel thread becomes /sbin/init, the kernel threads it started during boot
 * (ksoftirqd/N, events/N, migration/N...) are its children. They are handed to process 0: user-space
 * init must only see user processes in wait4 (it waits until -ECHILD to end a scenario). This is a
 * ksim choice: 2.6.11 leaves them with init, and Linux 2.6.22+ makes every kernel thread a child of
 * kthreadd instead. Kernel threads have no mm.
 */
static void reparent_kernel_threads(struct task_struct *tsk)
{
	struct task_struct *p, *n;
	write_lock_irq(&tasklist_lock);
	list_for_each_entry_safe(p, n, &tsk->children, sibling) {
		if (p->mm)
			continue;
		p->real_parent = p->parent = &init_task;
		list_move_tail(&p->sibling, &init_task.children);
	}
	write_unlock_irq(&tasklist_lock);
}

/* Drop the FPU state of the old program: its first FPU instruction will trap and get a clean FPU. */
static void clear_fpu_state(struct task_struct *tsk)
{
	preempt_disable();
	if (tsk->thread_info->status & TS_USEDFPU) {
		__asm__ __volatile__("fnclex; fwait");
		tsk->thread_info->status &= ~TS_USEDFPU;
		stts();
	}
	tsk->flags &= ~PF_USED_MATH;
	preempt_enable();
}

static unsigned long vm_flags_of(u32 p_flags)
{
	return ((p_flags & PF_R) ? VM_READ : 0) | ((p_flags & PF_W) ? VM_WRITE : 0) | ((p_flags & PF_X) ? VM_EXEC : 0);
}

/* The memory regions of the program (step 4). */
static int map_segments(struct mm_struct *mm, const struct initramfs_entry *e, unsigned long *entry)
{
	const struct elf32_hdr *h = (const struct elf32_hdr *)e->data;
	const struct elf32_phdr *ph = (const struct elf32_phdr *)(e->data + h->e_phoff);
	unsigned long brk = 0;
	for (int i = 0; i < h->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		unsigned long flags = vm_flags_of(ph[i].p_flags);
		unsigned long start = ph[i].p_vaddr, file_end = start + ph[i].p_filesz, end = start + ph[i].p_memsz;
		const char *name = (flags & VM_EXEC) ? "text" : "data";
		struct vm_area_struct *vma = do_mmap_region(mm, start, file_end > start ? file_end : start + 1, flags, name);
		if (!vma)
			return -ENOMEM;
		vma->vm_file_data = e->data + ph[i].p_offset;
		vma->vm_file_start = start;
		vma->vm_file_end = file_end;
		if (PAGE_ALIGN(end) > vma->vm_end && !do_mmap_region(mm, vma->vm_end, end, flags, "bss"))
			return -ENOMEM;
		if (flags & VM_EXEC) {
			mm->start_code = start;
			mm->end_code = file_end;
		} else {
			mm->start_data = start;
			mm->end_data = file_end;
		}
		if (end > brk)
			brk = end;
	}
	mm->start_brk = mm->brk = PAGE_ALIGN(brk);
	*entry = h->e_entry;
	return 0;
}

/* Push bytes onto the new user stack (it is current's address space already; faults fill it in). */
static int push_bytes(unsigned long *sp, const void *data, unsigned long n)
{
	*sp -= n;
	return copy_to_user((void __user *)*sp, data, n) ? -EFAULT : 0;
}

/* The initial stack (step 5): strings at the top, then the pointer arrays, argc at the bottom. */
static int create_stack(struct mm_struct *mm, struct linux_binprm *bprm, unsigned long entry, unsigned long *esp)
{
	struct vm_area_struct *stack =
		do_mmap_region(mm, STACK_TOP - STACK_INIT_PAGES * PAGE_SIZE, STACK_TOP, VM_READ | VM_WRITE, "stack");
	if (!stack)
		return -ENOMEM;
	stack->vm_flags |= VM_GROWSDOWN;
	mm->start_stack = STACK_TOP;

	unsigned long sp = STACK_TOP;
	u32 uargv[MAX_ARG_STRINGS], uenvp[MAX_ARG_STRINGS];
	/* The strings, envp's above argv's as in Linux; remember each one's user address. */
	mm->env_end = sp;
	for (int i = bprm->envc - 1; i >= 0; i--) {
		if (push_bytes(&sp, bprm->envp[i], strlen(bprm->envp[i]) + 1))
			return -EFAULT;
		uenvp[i] = sp;
	}
	mm->env_start = mm->arg_end = sp;
	for (int i = bprm->argc - 1; i >= 0; i--) {
		if (push_bytes(&sp, bprm->argv[i], strlen(bprm->argv[i]) + 1))
			return -EFAULT;
		uargv[i] = sp;
	}
	mm->arg_start = sp;
	sp &= ~15UL;
	/* Below the strings, from the top down: auxv, envp[] + NULL, argv[] + NULL, argc. */
	unsigned long words = 6 + (bprm->envc + 1) + (bprm->argc + 1) + 1;
	sp -= words * 4;
	sp &= ~15UL;
	unsigned long p = sp;
	u32 v = bprm->argc;
	int err = 0;
	err |= put_user(v, (u32 __user *)p);
	p += 4;
	for (int i = 0; i < bprm->argc; i++, p += 4)
		err |= put_user(uargv[i], (u32 __user *)p);
	err |= put_user(0, (u32 __user *)p);
	p += 4;
	for (int i = 0; i < bprm->envc; i++, p += 4)
		err |= put_user(uenvp[i], (u32 __user *)p);
	err |= put_user(0, (u32 __user *)p);
	p += 4;
	u32 auxv[6] = { AT_PAGESZ, PAGE_SIZE, AT_ENTRY, entry, AT_NULL, 0 };
	err |= copy_to_user((void __user *)p, auxv, sizeof(auxv)) ? -EFAULT : 0;
	*esp = sp;
	return err ? -EFAULT : 0;
}

/* start_thread: the user registers of the new program. */
static void start_thread(struct pt_regs *regs, unsigned long eip, unsigned long esp)
{
	regs->ebx = regs->ecx = regs->edx = regs->esi = regs->edi = regs->ebp = regs->eax = 0;
	regs->xds = __USER_DS;
	regs->xes = __USER_DS;
	regs->xss = __USER_DS;
	regs->xcs = __USER_CS;
	regs->eip = eip;
	regs->esp = esp;
	regs->eflags = 0x202;	/* IF, and the reserved bit 1 */
	regs->orig_eax = -1;
}

int do_execve(const char __user *filename, char __user *const __user *argv, char __user *const __user *envp,
	      struct pt_regs *regs)
{
	struct linux_binprm *bprm = kzalloc(sizeof(*bprm), GFP_KERNEL);
	if (!bprm)
		return -ENOMEM;
	int err = -ENOMEM;
	bprm->buf = kmalloc(MAX_ARG_BYTES, GFP_KERNEL);
	if (!bprm->buf)
		goto out;
	long len = strncpy_from_user(bprm->filename, filename, sizeof(bprm->filename));
	err = len < 0 ? len : -ENAMETOOLONG;
	if (len < 0 || len >= (long)sizeof(bprm->filename))
		goto out;
	const struct initramfs_entry *e = find_initramfs_program(bprm->filename);
	err = -ENOENT;
	if (!e)
		goto out;
	err = check_elf(e);
	if (err)
		goto out;
	err = copy_strings(bprm, argv, bprm->argv, &bprm->argc);
	if (err)
		goto out;
	err = copy_strings(bprm, envp, bprm->envp, &bprm->envc);
	if (err)
		goto out;
	struct mm_struct *mm = mm_alloc();
	err = -ENOMEM;
	if (!mm)
		goto out;
	err = de_thread();
	if (err) {
		mmput(mm);
		goto out;
	}

	/* ---- the point of no return: from here a failure kills the process ---- */
	exec_mmap(mm);
	set_fs(USER_DS);
	unshare_sighand();
	clear_fpu_state(current);
	if (current->flags & PF_KTHREAD)
		reparent_kernel_threads(current);
	current->flags &= ~(PF_FORKNOEXEC | PF_KTHREAD);	/* a kernel thread becomes a user process */
	current->did_exec = 1;
	strncpy(current->comm, e->name, sizeof(current->comm) - 1);
	current->comm[sizeof(current->comm) - 1] = 0;

	unsigned long entry, esp;
	down(&mm->mmap_sem);
	err = map_segments(mm, e, &entry);
	up(&mm->mmap_sem);
	if (!err)
		err = create_stack(mm, bprm, entry, &esp);
	if (err) {
		force_sig(SIGKILL, current);
		goto out;
	}
	start_thread(regs, entry, esp);
	err = 0;
out:
	kfree(bprm->buf);
	kfree(bprm);
	return err;
}

/*
 * run_init_process: called by the init kernel thread (pid 1) to become the first user process,
 * /sbin/init of the program table, with argv = { "init", scenario } (2.6.11 init/main.c: init ->
 * run_init_process -> execve). Like 2.6.11, it issues the real system call with `int $0x80` from kernel
 * mode: sys_execve rewrites the pt_regs that int $0x80 pushed, and the return from that system call
 * (iret) lands in user mode at the program's entry point. The kernel thread's address limit is
 * KERNEL_DS, so the argument strings may live in kernel memory. Returns only on failure.
 */
int run_init_process(const char *scenario)
{
	static char *argv_init[3] = { "init", NULL, NULL };
	static char *envp_init[3] = { "HOME=/", "TERM=linux", NULL };
	argv_init[1] = (char *)scenario;
	child_reaper = current;

	/* Descriptors 0, 1 and 2 are the console (2.6.11: open("/dev/console") and dup twice). */
	if (!current->files) {
		int err = 0;
		current->files = dup_fd(NULL, &err);
		if (!current->files)
			return err;
	}
	struct file *console = tty_open_console();
	if (!console)
		return -ENOMEM;
	for (int fd = 0; fd < 3; fd++) {
		if (fd)
			atomic_inc(&console->f_count);
		fd_install(fd, console);
	}
	long ret;
	__asm__ __volatile__("int $0x80"
			     : "=a"(ret)
			     : "0"(11 /* __NR_execve */), "b"("/sbin/init"), "c"(argv_init), "d"(envp_init)
			     : "memory");
	return ret;
}
