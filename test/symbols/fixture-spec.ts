/** Where gdb stops in the fixtures and what it evaluates there (our syntax, gdb's equivalent). */
import { DumpSpec } from './target-dump';

const same = (...xs: string[]): [string, string][] => xs.map((x) => [x, x]);

export const FIXTURE_SPEC: DumpSpec = {
  breakpoints: [
    { where: 'visit', hits: 3 }, { where: 'tick', hits: 3 }, { where: 'sum_tasks', hits: 2 },
    { where: 'worker', hits: 3 }, { where: 'link_tail', hits: 3 }, { where: 'fib', hits: 6 },
    { where: 'do_work', hits: 2 }, { where: 'recurse', hits: 4 }, { where: 'asm_helper', hits: 2 },
    { where: '*asm_helper_inner', hits: 2 }, { where: 'square', hits: 3 }, { where: 'main.c:33', hits: 2 },
    { where: 'shared.c:72', hits: 2 }, { where: 'main', hits: 1 },
  ],
  maxStops: 60,
  expressions: {
    '*': [
      ...same('jiffies', 'tasks[2].prio', 'tasks[3].comm[1]', 'tasks[1].flags.nice', 'tasks[4].flags.policy',
        'tasks[3].flags.need_resched', 'tasks[2].flags.cpu', 'grid[1][2]', 'sizeof(struct task_struct)', '&tasks[3]',
        'tasks[0].children[0]->pid', 'runqueues[0].curr->static_prio', 'task_list.next', 'tasks[1].last_state',
        'sample_pte.bits.frame', 'sample_pte.bits.present', 'sample_pte.bytes[1]', 'per_cpu__counter', 'banner[2]',
        'state_names[1][0]', 'tasks[2].utime', 'tasks[3].small', '-tasks[3].small * 3', 'tasks[2].prio > 105 ? 1 : 2',
        '!tasks[0].parent', 'tasks[1].parent == &tasks[0]', '(tasks[2].prio << 3) | 5', '~jiffies & 0xff',
        'tasks[5].fn == 0', '(unsigned char)(tasks[2].prio * 3)', '(short)-5 / 2', '17 % 5', "'a' + 1",
        'opaque_store.tag', 'tasks[2].thread.esp0', 'tasks[1].argv[1][1]', 'sizeof(tasks)', 'sizeof grid[0]',
        'tasks[4].matrix[1][0]', 'runqueues[1].curr->comm[0]', 'tasks[1].fn', '*tasks[1].argv', '$esp', '$eip',
        '(long)&tasks[1] - (long)&tasks[0]', 'tasks[0].tasks.next->next == &tasks[2].tasks',
        'jiffies > 1000 && tasks[0].pid == 1', '0x7fffffff + 1', '-7 >> 1', '(unsigned)-7 >> 1', '10 / 3 * 3',
        'tasks[2].prio - tasks[1].prio', 'runqueues[0].nr_running', 'ratio', 'scale * 4', 'sizeof(union pte_like)',
        '(enum task_state)2', 'TASK_STOPPED | 1', 'HI_SOFTIRQ + TASKLET_SOFTIRQ', 'grid[0]', 'banner'),
      ['container_of(task_list.next, struct task_struct, tasks)->pid',
        '((struct task_struct *)((char *)task_list.next - (unsigned long)&((struct task_struct *)0)->tasks))->pid'],
      ['list_entry(task_list.prev, struct task_struct, tasks)',
        '(struct task_struct *)((char *)task_list.prev - (unsigned long)&((struct task_struct *)0)->tasks)'],
      ['container_of(tasks[3].tasks.next, struct task_struct, tasks)->comm[0]',
        '((struct task_struct *)((char *)tasks[3].tasks.next - (unsigned long)&((struct task_struct *)0)->tasks))->comm[0]'],
      ['per_cpu(counter, 0)', 'per_cpu__counter'],
      ['per_cpu(rq_shadow, 0).nr_running', 'per_cpu__rq_shadow.nr_running'],
      ['(struct task_struct *)0x%TASKS%', '(struct task_struct *)&tasks[0]'],
    ],
    visit: same('t->prio', 'level', 't->comm[0]', 't->pid', 't', 't->flags.cpu', 't->tasks.next', 'level * 2 + 1', 't == &tasks[t->pid - 1]'),
    worker: same('depth', 't->pid & 3', 't->pid', 't->fn == worker'),
    fib: same('n', 'n < 2'),
    recurse: same('n', 'acc', 'n + acc'),
    sum_tasks: same('head', 'head->next', 'depth', 'head == &task_list'),
    link_tail: same('n', 'head', 'head->prev', 'n->next'),
    do_work: same('n'),
    tick: same('jiffies'),
    square: same('x', 'x * x'),
  },
};
