/**
 * Kernel Tasks view: the process tree (like `pstree -p`) built from the adapter's ksim/tasks answer.
 * Parents are found through real_parent's pid; the per-CPU idle tasks all have pid 0, and like Linux we
 * treat the boot CPU's idle task (the first pid-0 task listed) as the parent of init and the early kernel
 * threads.
 */
import type { TasksBody, TaskView } from '../../../debug-adapter/protocol/kernel-views';
import { ViewNode, hex } from '../view-node';

/** Pids with a row action armed (extension/debug/task-actions.ts); absent = none. */
export interface TaskRowMarks {
  readonly breakOnRun: ReadonlySet<number>;
  readonly watchingState: ReadonlySet<number>;
}
const NO_MARKS: TaskRowMarks = { breakOnRun: new Set(), watchingState: new Set() };

const STATE_ICONS: Record<string, string> = {
  R: 'circle-filled', S: 'clock', D: 'lock', T: 'debug-pause', t: 'debug-pause', Z: 'trash', X: 'close', '?': 'question',
};

/** "init [1]" for user tasks, "[ksoftirqd/0] [3]" for kernel threads (ps prints kernel threads in brackets). */
export function taskLabel(t: TaskView): string {
  return t.kernelThread ? `[${t.comm}] ${t.pid}` : `${t.comm} ${t.pid}`;
}

/** "R · cpu1 · prio 120 · running". */
export function taskDescription(t: TaskView): string {
  const parts = [t.state, `cpu${t.cpu}`, `prio ${t.prio}`];
  if (t.running) parts.push('running');
  if (t.threadFlags?.names.includes('TIF_NEED_RESCHED')) parts.push('need_resched');
  return parts.join(' · ');
}

function taskTooltip(t: TaskView): string {
  const rows: [string, string][] = [
    ['pid / tgid', `${t.pid} / ${t.tgid}`],
    ['state', `${t.stateName} (${t.stateValue})`],
    ['cpu', String(t.cpu) + (t.running ? ' (running now)' : '')],
    ['prio', t.staticPrio !== undefined ? `${t.prio} (static ${t.staticPrio})` : String(t.prio)],
    ['task_struct', hex(t.address)],
  ];
  if (t.timeSlice !== undefined) rows.push(['time_slice', String(t.timeSlice)]);
  if (t.flags) rows.push(['flags', t.flags.names.join(' ') || hex(t.flags.raw)]);
  if (t.threadFlags) rows.push(['thread_info.flags', t.threadFlags.names.join(' ') || hex(t.threadFlags.raw)]);
  if (t.savedEsp !== undefined) rows.push(['thread.esp', hex(t.savedEsp)]);
  if (t.savedEip) rows.push(['thread.eip', `${t.savedEip.symbol ?? ''} ${hex(t.savedEip.address)}`.trim()]);
  return `**${t.kernelThread ? '[' + t.comm + ']' : t.comm}**\n\n| | |\n|---|---|\n` +
    rows.map(([k, v]) => `| ${k} | \`${v}\` |`).join('\n');
}

function contextValue(t: TaskView): string {
  if (t.state === 'Z' || t.state === 'X') return 'task.exited';
  return t.running ? 'task.running' : 'task.sleeping';
}

/**
 * Description, icon and menu context of a task row, including the armed actions: "break when it runs"
 * shows a breakpoint icon, "watch its state" an eye, both are named in the description, and the
 * contextValue gets the words `breakOnRun` / `watchState` after the task kind ("task.sleeping
 * breakOnRun") so package.json's menus offer "Don't Break When It Runs" instead of "Break When It Runs".
 * Called at build time and again, in place, when a toggle changes between two stops.
 */
export function decorateTaskRow(node: ViewNode, t: TaskView, marks: TaskRowMarks = NO_MARKS): ViewNode {
  const breaks = marks.breakOnRun.has(t.pid);
  const watched = marks.watchingState.has(t.pid);
  const armed = [breaks ? 'breaks when it runs' : '', watched ? 'state watched' : ''].filter(Boolean);
  node.description = [taskDescription(t), ...armed].join(' · ');
  node.icon = breaks ? 'debug-breakpoint' : watched ? 'eye' : t.running ? 'play-circle' : STATE_ICONS[t.state] ?? 'question';
  node.iconColor = breaks ? 'debugIcon.breakpointForeground' : t.running ? 'ksim.runningTask' : undefined;
  node.contextValue = [contextValue(t), breaks ? 'breakOnRun' : '', watched ? 'watchState' : ''].filter(Boolean).join(' ');
  return node;
}

/** Build the pstree. Returns the root rows (normally the idle task(s) with everything below them). */
export function buildTaskTree(body: TasksBody, marks: TaskRowMarks = NO_MARKS): ViewNode[] {
  const byPid = new Map<number, TaskView>();
  for (const t of body.tasks) if (!byPid.has(t.pid)) byPid.set(t.pid, t);
  const childrenOf = new Map<string, TaskView[]>();
  const roots: TaskView[] = [];
  for (const t of body.tasks) {
    const parent = t.parentPid === null || t.parentPid === t.pid ? undefined : byPid.get(t.parentPid);
    if (!parent || parent.key === t.key) { roots.push(t); continue; }
    const list = childrenOf.get(parent.key) ?? [];
    list.push(t);
    childrenOf.set(parent.key, list);
  }
  // `emitted` guards against parent loops in corrupt guest memory: every task appears exactly once.
  const emitted = new Set<string>();
  const toNode = (t: TaskView): ViewNode => {
    emitted.add(t.key);
    const kids = (childrenOf.get(t.key) ?? []).filter((k) => !emitted.has(k.key)).sort((a, b) => a.pid - b.pid);
    for (const k of kids) emitted.add(k.key);
    const fields: ViewNode = {
      id: `${t.key}/fields`, label: 'task_struct', description: hex(t.address), icon: 'symbol-structure',
      variablesReference: t.variablesReference > 0 ? t.variablesReference : undefined,
    };
    const node: ViewNode = {
      id: t.key,
      label: taskLabel(t),
      tooltip: () => taskTooltip(t),
      value: `${t.state}|${t.cpu}|${t.prio}|${t.running}`,
      children: [fields, ...kids.map(toNode)],
      expanded: kids.length > 0 && (t.pid <= 1 || t.parentPid === null),
      data: { pid: t.pid, address: t.address, threadId: t.threadId, expression: t.expression, savedEip: t.savedEip, comm: t.comm, task: t },
    };
    return decorateTaskRow(node, t, marks);
  };
  roots.sort((a, b) => a.pid - b.pid || a.cpu - b.cpu);
  const out = roots.map(toNode);
  // Tasks caught in a parent loop were never reached from a root: list them at top level.
  for (const t of body.tasks) if (!emitted.has(t.key)) out.push(toNode(t));
  return out;
}
