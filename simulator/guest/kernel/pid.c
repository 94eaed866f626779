/*
 * kernel/pid.c — process identifiers: allocation from pidmap_array and the four PID hash tables.
 *
 * ULK3 §3.2.3 "Identifying a process" and §3.2.3.1 "The pidhash table and chained lists"
 * (seed 003:94–110, 342–480):
 *  - A PID is a number 0..32767. Which numbers are in use is recorded in pidmap_array, a bitmap of
 *    one page (4096 bytes * 8 = 32768 bits, seed 003:100); a new PID is the first free bit after the
 *    last one handed out (last_pid), wrapping around, so numbers are not reused quickly.
 *  - To find the task from a number (kill(pid), waitpid(pid)), the kernel keeps four hash tables, one
 *    per pid_type: PIDTYPE_PID (the process's own PID), PIDTYPE_TGID (the thread group leader's PID),
 *    PIDTYPE_PGID (process group), PIDTYPE_SID (session) (seed 003:356–374).
 *  - Several tasks can share one number in the TGID, PGID and SID tables (all threads of a group have
 *    the same tgid). Only the first of them is in the hash chain (pid_chain); the others hang off its
 *    pid_list (seed 003:415–439, the figure "The PID hash tables" is missing from the seed). So a
 *    chain has one entry per *number*, and a number's list has every task with that number.
 *  - The hash function is hash_long: (nr * 0x9e370001) >> (32 - pidhash_shift) (seed 003:381–395).
 *    Linux sizes the table from the RAM size (2048 entries for 512 MB); we fix pidhash_shift at 10,
 *    what 2.6.11's pidhash_init computes for the 128 MB of the ksim machine (extrapolation).
 */
#include <linux/sched.h>
#include <linux/pid.h>

#define PID_MAX_DEFAULT 0x8000			/* 32768: one page of bits */
#define BITS_PER_PAGE (PAGE_SIZE * 8)
#define RESERVED_PIDS 300			/* after a wrap-around, skip the daemons' low numbers */
#define PIDHASH_SHIFT 10
#define PIDHASH_SIZE (1 << PIDHASH_SHIFT)
#define GOLDEN_RATIO_PRIME 0x9e370001UL

int pid_max = PID_MAX_DEFAULT;
int last_pid;

/* The bitmap of used PIDs. nr_free counts the free bits (Linux keeps it in pidmap_t too). PID 0 is the
 * idle tasks' (swapper) and is marked used at the first allocation. */
typedef struct pidmap {
	atomic_t nr_free;
	unsigned char page[PAGE_SIZE];
} pidmap_t;
pidmap_t pidmap_array[PID_MAX_DEFAULT / BITS_PER_PAGE] = { { { BITS_PER_PAGE }, { 0 } } };
static DEFINE_SPINLOCK(pidmap_lock);

/* pid_hash[type][bucket]: the four tables. Zero-initialised hlist heads are empty chains. */
struct hlist_head pid_hash[PIDTYPE_MAX][PIDHASH_SIZE];

static inline unsigned long pid_hashfn(int nr)
{
	return ((unsigned long)nr * GOLDEN_RATIO_PRIME) >> (32 - PIDHASH_SHIFT);
}

static inline int test_and_set_pidbit(int nr)
{
	unsigned char *byte = &pidmap_array[0].page[nr >> 3];
	unsigned char bit = 1 << (nr & 7);
	int was = (*byte & bit) != 0;
	*byte |= bit;
	return was;
}

void free_pidmap(int nr)
{
	unsigned long flags;
	spin_lock_irqsave(&pidmap_lock, flags);
	pidmap_array[0].page[nr >> 3] &= ~(1 << (nr & 7));
	atomic_inc(&pidmap_array[0].nr_free);
	spin_unlock_irqrestore(&pidmap_lock, flags);
}

/*
 * alloc_pidmap: the first free PID after last_pid (wrapping to RESERVED_PIDS), or -1 when all 32767
 * are taken. Called by do_fork before copy_process (seed 003:1165: "looks for a free PID in
 * pidmap_array").
 */
int alloc_pidmap(void)
{
	unsigned long flags;
	int pid = -1;
	spin_lock_irqsave(&pidmap_lock, flags);
	test_and_set_pidbit(0);		/* PID 0 belongs to the swapper (idle) processes */
	for (int tries = 0; tries < pid_max; tries++) {
		int nr = last_pid + 1 + tries;
		if (nr >= pid_max)
			nr = RESERVED_PIDS + (nr - pid_max);
		if (!test_and_set_pidbit(nr)) {
			pid = last_pid = nr;
			atomic_dec(&pidmap_array[0].nr_free);
			break;
		}
	}
	spin_unlock_irqrestore(&pidmap_lock, flags);
	return pid;
}

/* find_pid: the struct pid that heads the list of tasks having number nr in table type. */
struct pid *find_pid(enum pid_type type, int nr)
{
	struct hlist_node *elem;
	hlist_for_each(elem, &pid_hash[type][pid_hashfn(nr)]) {
		struct pid *pid = hlist_entry(elem, struct pid, pid_chain);
		if (pid->nr == nr)
			return pid;
	}
	return NULL;
}

/*
 * attach_pid(task, type, nr): enter task in table type under number nr (seed 003:450–460). If no task
 * has that number yet, task's pids[type] becomes the chain entry; otherwise it joins the pid_list of
 * the task that is already there. Caller holds tasklist_lock for writing.
 */
int attach_pid(struct task_struct *task, enum pid_type type, int nr)
{
	struct pid *pid = find_pid(type, nr);
	struct pid *task_pid = &task->pids[type];
	if (!pid) {
		INIT_LIST_HEAD(&task_pid->pid_list);
		hlist_add_head(&task_pid->pid_chain, &pid_hash[type][pid_hashfn(nr)]);
	} else {
		INIT_HLIST_NODE(&task_pid->pid_chain);
		list_add_tail(&task_pid->pid_list, &pid->pid_list);
	}
	task_pid->nr = nr;
	return 0;
}

/* Remove task from table type; return the number if no task in that table has it any more. */
static int __detach_pid(struct task_struct *task, enum pid_type type)
{
	struct pid *pid = &task->pids[type];
	int nr = 0;
	if (!hlist_unhashed(&pid->pid_chain)) {
		/* We were the chain entry: hand it to the next task with the same number, if any. */
		hlist_del(&pid->pid_chain);
		if (list_empty(&pid->pid_list)) {
			nr = pid->nr;
		} else {
			struct pid *next = list_entry(pid->pid_list.next, struct pid, pid_list);
			hlist_add_head(&next->pid_chain, &pid_hash[type][pid_hashfn(next->nr)]);
		}
	}
	list_del(&pid->pid_list);
	pid->nr = 0;
	return nr;
}

/*
 * detach_pid(task, type) (seed 003:462–470): remove task from one table; when the number is used in
 * none of the four tables any more (a group leader's PID stays busy while its PGID/SID is in use), give
 * it back to pidmap_array.
 */
void detach_pid(struct task_struct *task, enum pid_type type)
{
	int nr = __detach_pid(task, type);
	if (!nr)
		return;
	for (int t = 0; t < PIDTYPE_MAX; t++)
		if (t != (int)type && find_pid(t, nr))
			return;
	free_pidmap(nr);
}

/* find_task_by_pid_type(type, nr): the first task with number nr in table type (seed 003:472). */
struct task_struct *find_task_by_pid_type(int type, int nr)
{
	struct pid *pid = find_pid(type, nr);
	if (!pid)
		return NULL;
	return container_of(pid, struct task_struct, pids[type]);
}

struct task_struct *find_task_by_pid(int nr)
{
	return find_task_by_pid_type(PIDTYPE_PID, nr);
}
