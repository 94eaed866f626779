/**
 * The custom-request contract between the ksim debug adapter and the VS Code extension.
 *
 * The Debug Adapter Protocol has no notion of "tasks", "run queues" or "irq_desc". ksim adds them as
 * custom requests (DAP allows any command name; VS Code forwards `session.customRequest(command, args)`)
 * and custom events (any `event` name; VS Code surfaces them as `onDidReceiveDebugSessionCustomEvent`).
 * The adapter computes every view model below from guest memory + DWARF; the extension only renders.
 * Any DAP client (nvim-dap, Emacs dap-mode, a script) can send the same requests to `ksim dap`.
 *
 * Rules of this contract:
 *  - Stability: after it is first published only additive changes are allowed (new optional fields,
 *    new requests). Never rename or retype a field.
 *  - Numbers: addresses are kernel linear addresses as plain numbers (i686: they fit in 32 bits).
 *    Times are whole-machine virtual time in *instructions* (the machine's `time`), never wall clock.
 *  - Every view response body is a `KernelView<T>`: either `{ available: true, ...T }` or
 *    `KernelViewUnavailable` when the kernel lacks the symbols the view needs (a foreign kernel, a
 *    stripped ELF) or the machine is running. A view never fails the request because of the guest's
 *    data: a corrupt list is reported through `warnings`, not by throwing.
 *  - Views are meaningful while the machine is stopped. Each body carries `stopId`, a counter the
 *    adapter increments on every stop, so the extension can tell which stop a response belongs to.
 *  - Rows carry a stable `key` (usually the address of the kernel object) so the extension can match
 *    rows across stops and highlight values that changed since the previous stop.
 *  - `variablesReference` fields are ordinary DAP variable references (valid until the next resume):
 *    the client expands them with the standard `variables` request, e.g. a task's task_struct fields.
 */

// ---------------------------------------------------------------------------------------------
// Request and event names
// ---------------------------------------------------------------------------------------------

/** Command names of the custom requests. */
export const KsimRequest = {
  tasks: 'ksim/tasks',
  cpus: 'ksim/cpus',
  irqs: 'ksim/irqs',
  softirqs: 'ksim/softirqs',
  workqueues: 'ksim/workqueues',
  timers: 'ksim/timers',
  waitqueues: 'ksim/waitqueues',
  dmesg: 'ksim/dmesg',
  timeline: 'ksim/timeline',
  contextSwitch: 'ksim/contextSwitch',
  profile: 'ksim/profile',
  continueToContextSwitch: 'ksim/continueToContextSwitch',
  continueToInterrupt: 'ksim/continueToInterrupt',
  raiseIrq: 'ksim/raiseIrq',
  breakWhenTaskRuns: 'ksim/breakWhenTaskRuns',
  watchTaskState: 'ksim/watchTaskState',
} as const;
export type KsimRequestName = (typeof KsimRequest)[keyof typeof KsimRequest];

/** Names of the custom events the adapter sends (DAP `event` messages). */
export const KsimEvent = {
  /** Sent on every stop and periodically (at most every ~250 ms of host time) while running. */
  status: 'ksim/status',
} as const;

// ---------------------------------------------------------------------------------------------
// Common shapes
// ---------------------------------------------------------------------------------------------

/** Body of a view request when the view cannot be computed. */
export interface KernelViewUnavailable {
  available: false;
  /** One sentence for the user, e.g. "the kernel has no symbol 'runqueues' (not a ksim-style kernel?)". */
  reason: string;
  /** Why: 'symbols' = the kernel lacks symbols/types the view needs; 'running' = the machine is not
   *  stopped; 'no-session' is used by the extension itself when no ksim session exists. */
  cause: 'symbols' | 'running' | 'no-session' | 'error';
  /** Symbols or types that were looked up and not found, e.g. ["runqueues", "struct prio_array"]. */
  missing?: string[];
}

/** Fields every available view carries. */
export interface ViewStamp {
  available: true;
  /** Increments on every stop of the machine; identical for all views computed at one stop. */
  stopId: number;
  /** Machine virtual time (instructions executed by all CPUs) at this stop. */
  time: number;
  /** Value of the kernel's `jiffies` at this stop, when the symbol exists. */
  jiffies?: number;
  /** Non-fatal problems met while reading guest memory (a list that did not close, an unmapped pointer). */
  warnings?: string[];
}

/** A view response body: the view, or why it is not available. */
export type KernelView<T> = (ViewStamp & T) | KernelViewUnavailable;

/** A short reference to a task, used wherever a view points at one. */
export interface TaskRef {
  pid: number;
  /** task_struct.comm */
  comm: string;
  /** Address of the task_struct. */
  address: number;
}

/** A code address with its symbol, for function pointers (handlers, timer functions, work funcs). */
export interface CodeRef {
  address: number;
  /** Symbol containing the address, "name" or "name+0x12"; absent when no symbol covers it. */
  symbol?: string;
  /** Source location of the symbol's definition, when DWARF has it (absolute path, 1-based line). */
  file?: string;
  line?: number;
}

/** A raw bit field decoded into names (e.g. irq_desc.status -> ["IRQ_DISABLED", "IRQ_LEVEL"]). */
export interface DecodedFlags {
  raw: number;
  names: string[];
}

// ---------------------------------------------------------------------------------------------
// ksim/tasks — the process tree
// ---------------------------------------------------------------------------------------------

export interface TasksArguments {
  /** Omit exited tasks (EXIT_ZOMBIE/EXIT_DEAD). Default false. */
  hideExited?: boolean;
}

/**
 * One-letter task states as `ps` prints them:
 * R running/runnable, S interruptible sleep, D uninterruptible, T stopped, t traced, Z zombie, X dead.
 */
export type TaskStateLetter = 'R' | 'S' | 'D' | 'T' | 't' | 'Z' | 'X' | '?';

export interface TaskView extends TaskRef {
  /** Stable row key: the task_struct address as hex, e.g. "0xc0345000". */
  key: string;
  tgid: number;
  /** pid of real_parent; null for the per-CPU idle tasks (pid 0), which have no parent. */
  parentPid: number | null;
  /** task_struct.state raw value (and exit_state when the task is exiting). */
  stateValue: number;
  state: TaskStateLetter;
  /** Readable state, e.g. "TASK_INTERRUPTIBLE". */
  stateName: string;
  /** thread_info.cpu: the CPU the task last ran on / is queued on. */
  cpu: number;
  /** True when the task is `current` on some CPU right now (then `cpu` is that CPU). */
  running: boolean;
  /** task_struct.prio (dynamic) and static_prio when present; 100..139 normal, 0..99 real time. */
  prio: number;
  staticPrio?: number;
  /** True for kernel threads (mm == NULL). */
  kernelThread: boolean;
  /** task_struct.flags decoded (PF_EXITING, ...). */
  flags?: DecodedFlags;
  /** thread_info.flags decoded (TIF_NEED_RESCHED, TIF_SIGPENDING, ...). */
  threadFlags?: DecodedFlags;
  /** Saved context of a task that is not running: thread.esp and thread.eip (eip as a code ref). */
  savedEsp?: number;
  savedEip?: CodeRef;
  /** Time slice left (task_struct.time_slice), when the kernel has it. */
  timeSlice?: number;
  /** DAP thread id of this task in the `threads` response (set when showTasksAsThreads, or when
   *  the task is running: then it is the CPU's thread). Used for "show backtrace". */
  threadId?: number;
  /** DAP variables reference to expand the whole task_struct (fields typed through DWARF). */
  variablesReference: number;
  /** A C expression naming this task_struct, e.g. "*(struct task_struct *)0xc0345000", usable in
   *  evaluate / watch / data breakpoints. */
  expression: string;
}

export interface TasksBody {
  tasks: TaskView[];
  /** Value of nr_threads, when the kernel has it. */
  nrThreads?: number;
}
export type TasksResponseBody = KernelView<TasksBody>;

// ---------------------------------------------------------------------------------------------
// ksim/cpus — per-CPU state and run queues
// ---------------------------------------------------------------------------------------------

export interface CpusArguments {}

/** preempt_count split into its fields (bits 0-7 preempt, 8-15 softirq, 16-27 hardirq, 28 PREEMPT_ACTIVE). */
export interface PreemptCountView {
  raw: number;
  preempt: number;
  softirq: number;
  hardirq: number;
  preemptActive: boolean;
}

/** One non-empty priority list of a prio_array (queue[prio]). */
export interface PrioListView {
  prio: number;
  tasks: TaskRef[];
}

/** One prio_array (active or expired). */
export interface PrioArrayView {
  /** Address of the prio_array. */
  address: number;
  nrActive: number;
  /** Only the non-empty lists, by increasing prio. */
  lists: PrioListView[];
}

export interface RunQueueView {
  address: number;
  nrRunning: number;
  /** Context switches on this CPU (runqueue.nr_switches), when present. */
  nrSwitches?: number;
  active: PrioArrayView;
  expired: PrioArrayView;
  /** The CPU's idle task. */
  idle?: TaskRef;
}

export interface TaskletView {
  /** Row key: tasklet_struct address as hex. */
  key: string;
  address: number;
  func: CodeRef;
  data: number;
  /** tasklet_struct.state decoded: TASKLET_STATE_SCHED, TASKLET_STATE_RUN. */
  state: DecodedFlags;
  /** Disable count (tasklet_struct.count); non-zero means disabled. */
  count: number;
}

export interface CpuView {
  /** Row key: "cpu0", "cpu1", ... */
  key: string;
  cpu: number;
  /** Machine-level state of the simulated CPU. */
  runState: 'running' | 'halted' | 'waiting-for-sipi' | 'stopped' | 'shutdown';
  /** 'real' before the kernel entered protected mode; 'user' when CPL is 3. */
  mode: 'real' | 'kernel' | 'user' | 'vm86';
  /** True when this CPU is the one that caused the current stop. */
  stoppedHere: boolean;
  eip: CodeRef;
  esp: number;
  /** EFLAGS.IF */
  interruptsEnabled: boolean;
  /** Task running on this CPU (`current`), null before the scheduler is up. */
  current: TaskRef | null;
  preemptCount?: PreemptCountView;
  /** Inside hardirq / softirq context according to preempt_count (in_irq / in_softirq). */
  context?: 'task' | 'hardirq' | 'softirq' | 'nmi';
  runQueue?: RunQueueView;
  /** irq_stat[cpu].__softirq_pending decoded into softirq names (HI_SOFTIRQ, TIMER_SOFTIRQ, ...). */
  softirqPending?: DecodedFlags;
  /** tasklet_hi_vec[cpu] and tasklet_vec[cpu] lists. */
  taskletsHi?: TaskletView[];
  tasklets?: TaskletView[];
  /** Local APIC timer interrupts taken (irq_stat[cpu].apic_timer_irqs), when present. */
  apicTimerIrqs?: number;
  /** DAP thread id of this CPU's thread. */
  threadId: number;
}

export interface CpusBody {
  cpus: CpuView[];
}
export type CpusResponseBody = KernelView<CpusBody>;

// ---------------------------------------------------------------------------------------------
// ksim/irqs — irq_desc[] per line
// ---------------------------------------------------------------------------------------------

export interface IrqsArguments {
  /** Include lines that never fired and have no action. Default false. */
  includeUnused?: boolean;
}

export interface IrqActionView {
  /** irqaction.name, e.g. "timer", "serial". */
  name: string;
  handler: CodeRef;
  /** irqaction.flags decoded: SA_INTERRUPT, SA_SHIRQ, SA_SAMPLE_RANDOM. */
  flags: DecodedFlags;
  devId: number;
}

export interface IrqLineView {
  /** Row key: "irq<N>". */
  key: string;
  irq: number;
  /** IDT vector the line is delivered on, when known (32 + irq for the legacy layout). */
  vector?: number;
  /** Name of the controller (hw_interrupt_type.typename), e.g. "XT-PIC", "IO-APIC-edge". */
  chip?: string;
  /** irq_desc.status decoded: IRQ_INPROGRESS, IRQ_DISABLED, IRQ_PENDING, IRQ_LEVEL, ... */
  status: DecodedFlags;
  /** irq_desc.depth: nested disable count. */
  depth: number;
  /** Interrupts handled on each CPU (index = CPU), as /proc/interrupts shows. */
  countsPerCpu: number[];
  total: number;
  /** irq_desc.irqs_unhandled. */
  unhandled?: number;
  actions: IrqActionView[];
}

/** Non-line interrupt sources counted per CPU (LAPIC timer, IPIs), like the bottom of /proc/interrupts. */
export interface InterruptCounterView {
  key: string;
  /** e.g. "LOC" (local timer), "RES" (reschedule IPI), "CAL" (call function IPI), "TLB". */
  name: string;
  vector?: number;
  countsPerCpu: number[];
}

export interface IrqsBody {
  lines: IrqLineView[];
  other?: InterruptCounterView[];
}
export type IrqsResponseBody = KernelView<IrqsBody>;

// ---------------------------------------------------------------------------------------------
// ksim/softirqs — softirq vector, with per-CPU pending bits and counts
// ---------------------------------------------------------------------------------------------

export interface SoftirqsArguments {}

export interface SoftirqView {
  key: string;
  /** Softirq number = priority (0 HI_SOFTIRQ, 1 TIMER_SOFTIRQ, ... 5 TASKLET_SOFTIRQ). */
  nr: number;
  name: string;
  /** softirq_vec[nr].action; absent when the softirq was never opened. */
  action?: CodeRef;
  /** CPUs on which the bit is pending right now. */
  pendingOn: number[];
  /** Times the action ran, per CPU, when the kernel (or the adapter's trace) counts them. */
  countsPerCpu?: number[];
}

export interface SoftirqsBody {
  softirqs: SoftirqView[];
  /** Per-CPU tasklet lists, index = CPU (same data as in CpuView, grouped for the Bottom halves view). */
  tasklets?: { cpu: number; hi: TaskletView[]; normal: TaskletView[] }[];
  /** ksoftirqd threads, index = CPU. */
  ksoftirqd?: (TaskRef | null)[];
}
export type SoftirqsResponseBody = KernelView<SoftirqsBody>;

// ---------------------------------------------------------------------------------------------
// ksim/workqueues
// ---------------------------------------------------------------------------------------------

export interface WorkqueuesArguments {}

export interface WorkItemView {
  key: string;
  /** work_struct address. */
  address: number;
  func: CodeRef;
  data: number;
  pending: boolean;
}

export interface CpuWorkqueueView {
  cpu: number;
  /** Worker thread (events/0, ...). */
  thread: TaskRef | null;
  insertSequence: number;
  removeSequence: number;
  /** Work on cpu_workqueue_struct.worklist, in queue order. */
  worklist: WorkItemView[];
}

export interface WorkqueueView {
  key: string;
  address: number;
  /** workqueue_struct.name, e.g. "events". */
  name: string;
  perCpu: CpuWorkqueueView[];
}

export interface WorkqueuesBody {
  workqueues: WorkqueueView[];
}
export type WorkqueuesResponseBody = KernelView<WorkqueuesBody>;

// ---------------------------------------------------------------------------------------------
// ksim/timers — dynamic timers (timer_list) per CPU
// ---------------------------------------------------------------------------------------------

export interface TimersArguments {}

export interface TimerView {
  key: string;
  /** timer_list address. */
  address: number;
  /** Absolute expiry in jiffies. */
  expires: number;
  /** expires - jiffies (negative = overdue). */
  delta: number;
  function: CodeRef;
  data: number;
}

export interface CpuTimersView {
  cpu: number;
  /** tvec_base.timer_jiffies: the next jiffy the timer softirq will process. */
  timerJiffies?: number;
  /** Pending timers sorted by expiry. */
  timers: TimerView[];
}

export interface TimersBody {
  cpus: CpuTimersView[];
}
export type TimersResponseBody = KernelView<TimersBody>;

// ---------------------------------------------------------------------------------------------
// ksim/waitqueues — wait queue heads that have sleepers
// ---------------------------------------------------------------------------------------------

export interface WaitqueuesArguments {}

export interface WaiterView {
  key: string;
  /** wait_queue_t address. */
  address: number;
  task: TaskRef | null;
  /** WQ_FLAG_EXCLUSIVE set. */
  exclusive: boolean;
  /** Wake function (default_wake_function, autoremove_wake_function...). */
  func: CodeRef;
}

export interface WaitqueueView {
  key: string;
  /** wait_queue_head_t address. */
  address: number;
  /** What the head is: a global symbol ("pipe_wait"), or "field of <owner>", or its address. */
  name: string;
  waiters: WaiterView[];
}

export interface WaitqueuesBody {
  /** Only heads with at least one waiter. How heads are found (known globals, sleeping tasks'
   *  frames...) is up to the adapter. */
  waitqueues: WaitqueueView[];
}
export type WaitqueuesResponseBody = KernelView<WaitqueuesBody>;

// ---------------------------------------------------------------------------------------------
// ksim/dmesg — the kernel log buffer
// ---------------------------------------------------------------------------------------------

export interface DmesgArguments {
  /** Return only lines with seq >= since (incremental refresh). Default 0. */
  since?: number;
}

export interface DmesgLine {
  /** Sequence number of the line in the log since boot (0-based). */
  seq: number;
  /** printk level 0..7 when the line had a "<N>" prefix. */
  level?: number;
  text: string;
}

export interface DmesgBody {
  lines: DmesgLine[];
  /** seq of the next line that will be written; pass it as `since` next time. */
  nextSeq: number;
  /** True when older lines were overwritten in the ring buffer. */
  wrapped: boolean;
}
export type DmesgResponseBody = KernelView<DmesgBody>;

// ---------------------------------------------------------------------------------------------
// ksim/timeline — what each CPU did over virtual time (for the timeline webview)
// ---------------------------------------------------------------------------------------------

export interface TimelineArguments {
  /** Virtual time window [from, to); defaults: the whole trace buffer. */
  from?: number;
  to?: number;
  /** Upper bound on spans + events returned; the adapter keeps the most recent ones. Default 20000. */
  maxItems?: number;
}

/**
 * Span kinds, nested per CPU in this order of depth:
 * task (depth 0) > exception / syscall > hardirq > softirq > tasklet; `work` runs inside a worker task.
 * A hardirq may also nest inside a softirq, tasklet or work span (they run with interrupts enabled).
 * softirq: one span per softirq action run (label = its name, e.g. "TIMER_SOFTIRQ", `softirq` = its
 * number); tasklet: one per tasklet function run ("tasklet demo_tasklet_fn"); work: one per work
 * function run ("work demo_work_fn"); `code` is the function run and `task` the task it ran in.
 */
export type TimelineSpanKind = 'task' | 'idle' | 'syscall' | 'exception' | 'hardirq' | 'softirq' | 'tasklet' | 'work';

export interface TimelineSpan {
  /** Unique within one timeline response. */
  id: number;
  cpu: number;
  kind: TimelineSpanKind;
  /** Nesting depth on its CPU (0 = task level). */
  depth: number;
  start: number;
  /** End time; null when the span is still open at `endTime` (e.g. the task running now). */
  end: number | null;
  /** Text for the bar: "pipeline [9]", "IRQ 0 timer", "TIMER_SOFTIRQ", "tasklet serial_tasklet". */
  label: string;
  /** What the span refers to, for the hover card and "reveal in views". */
  task?: TaskRef;
  irq?: number;
  vector?: number;
  softirq?: number;
  /** Handler / tasklet func / work func. */
  code?: CodeRef;
  /**
   * Id of the enclosing span on the same CPU (the task span for depth 1): the child lies within it
   * and has depth parent.depth + 1. Absent for task spans; with from/to/maxItems the parent may be left out.
   */
  parent?: number;
  /**
   * The span continues an earlier one (its id): the task was switched out inside it (an interrupt's
   * exit path or a work function that slept) and the span resumes when the task runs again.
   */
  continues?: number;
}

export type TimelineEventKind = 'switch' | 'ipi' | 'exception' | 'irq-raised' | 'stop' | 'breakpoint';

export interface TimelineEvent {
  id: number;
  time: number;
  cpu: number;
  kind: TimelineEventKind;
  label: string;
  /** 'switch': the task that stopped and the task that started running. */
  prev?: TaskRef;
  next?: TaskRef;
  /** 'ipi': destination CPUs and vector. 'exception': vector and error code. */
  targetCpus?: number[];
  vector?: number;
  errorCode?: number;
  /** Where the CPU was (eip) when the event happened. */
  code?: CodeRef;
}

export interface TimelineBody {
  cpuCount: number;
  /** Window actually covered (the trace buffer may not reach back to `from`). */
  startTime: number;
  endTime: number;
  /** Instructions per jiffy (for a jiffies axis), when known. */
  instructionsPerJiffy?: number;
  /** Virtual time of each CPU at the stop (inside a machine slice a CPU runs ahead of `endTime`'s others). */
  cpuTimes?: number[];
  spans: TimelineSpan[];
  events: TimelineEvent[];
  /** True when items were dropped (trace buffer wrapped or maxItems reached). */
  truncated: boolean;
}
export type TimelineResponseBody = KernelView<TimelineBody>;

// ---------------------------------------------------------------------------------------------
// ksim/contextSwitch — prev/next stacks while stepping through switch_to
// ---------------------------------------------------------------------------------------------

export interface ContextSwitchArguments {
  /** CPU to look at; default the CPU of the current stop. */
  cpu?: number;
}

/** The switch-relevant registers and saved fields at one moment. */
export interface SwitchRegisters {
  esp: number;
  eip: number;
  /** prev->thread.esp / prev->thread.eip and next->thread.esp / next->thread.eip. */
  prevThreadEsp: number;
  prevThreadEip: number;
  nextThreadEsp: number;
  nextThreadEip: number;
}

/** One instruction executed inside switch_to/__switch_to on this CPU, with the state around it. */
export interface SwitchStep {
  /** Address and disassembly of the instruction ("movl %esp,0x1e4(%eax)"). */
  eip: number;
  instruction: string;
  symbol?: string;
  before: SwitchRegisters;
  after: SwitchRegisters;
}

/** One word of a kernel stack, for the stack pictures. */
export interface StackWord {
  address: number;
  value: number;
  /** Symbol when the value points into code (a return address). */
  symbol?: string;
  /** Marks: "esp" (the live esp is here), "thread.esp" (the saved esp points here). */
  marks?: string[];
}

export interface SwitchSide {
  task: TaskRef;
  /** The stack around the relevant esp (live esp for the running side, thread.esp for the other),
   *  lowest address first, at most ~32 words. */
  stack: StackWord[];
  /** Base (highest address) of the task's kernel stack (thread_union end). */
  stackTop?: number;
  /** Symbolic backtrace of the side, outermost last. */
  frames: { name: string; eip: number; file?: string; line?: number }[];
}

export interface ContextSwitchBody {
  cpu: number;
  /**
   * Where the CPU is: 'outside' (not in switch_to/__switch_to: prev/next describe the last switch on
   * this CPU, if any), 'before-stack-switch' (still on prev's stack), 'after-stack-switch' (on next's
   * stack, before label 1), 'done' (returned to label 1 / ret_from_fork in next).
   */
  phase: 'outside' | 'before-stack-switch' | 'after-stack-switch' | 'done';
  prev: SwitchSide | null;
  next: SwitchSide | null;
  now: SwitchRegisters | null;
  /** Instructions executed in this switch so far (empty when phase is 'outside' and none recorded). */
  steps: SwitchStep[];
}
export type ContextSwitchResponseBody = KernelView<ContextSwitchBody>;

// ---------------------------------------------------------------------------------------------
// ksim/profile — per-function execution counts of the run so far (for code lenses)
// ---------------------------------------------------------------------------------------------

export interface ProfileArguments {
  /** Return at most this many functions, most instructions first. Default all. */
  limit?: number;
}

export interface FunctionProfile {
  name: string;
  address: number;
  file?: string;
  line?: number;
  /** Times the function was entered (calls and interrupt entries). */
  calls: number;
  /** Instructions executed with eip inside the function. */
  instructions: number;
}

export interface ProfileBody {
  /** Instructions retired by all CPUs since counting began (launch or restart), user mode included. */
  totalInstructions: number;
  /** Functions that executed at least one instruction, most instructions first. */
  functions: FunctionProfile[];
}
export type ProfileResponseBody = KernelView<ProfileBody>;

// ---------------------------------------------------------------------------------------------
// Run-control requests. They answer immediately (empty body) and resume all CPUs; the machine later
// sends an ordinary DAP `stopped` event whose `reason` is the string given below, with `description`
// and `text` readable by a user. Errors (no such IRQ line, symbols missing) are DAP error responses.
// ---------------------------------------------------------------------------------------------

/** ksim/continueToContextSwitch: run until the next context switch; stops in next's context right
 *  after switch_to (stopped reason "context switch", text "CPU 0: A [5] → B [7]"). */
export interface ContinueToContextSwitchArguments {
  /** Only a switch on this CPU. */
  cpu?: number;
  /** Only a switch to the task with this pid ("break when it runs"). */
  nextPid?: number;
  /** Only a switch away from the task with this pid. */
  prevPid?: number;
}

/** ksim/continueToInterrupt: run until an interrupt is delivered; stops at the first instruction of
 *  the handler (stopped reason "interrupt", text "IRQ 4 (vector 0x24) on CPU 1"). */
export interface ContinueToInterruptArguments {
  /** Only this IDT vector (e.g. 0x20 for IRQ 0 in the legacy layout, 0xef LAPIC timer). */
  vector?: number;
  /** Only this IRQ line (translated to its vector by the adapter). */
  irq?: number;
  /** Only on this CPU. */
  cpu?: number;
  /** Also stop on exceptions (vectors 0..31). Default false. */
  includeExceptions?: boolean;
}

/** ksim/raiseIrq: pulse an ISA/IOAPIC input line now (the machine's raiseIrq). Works while stopped
 *  (delivered when the machine resumes) and while running. */
export interface RaiseIrqArguments {
  irq: number;
}
export interface RaiseIrqResponseBody {
  /** Human-readable: "IRQ 4 raised; routed to vector 0x24 on CPU 0". */
  message: string;
}

/** ksim/breakWhenTaskRuns: a persistent breakpoint that stops when `pid` is switched in (on any CPU);
 *  `enabled: false` removes it. Stopped reason "task runs". */
export interface BreakWhenTaskRunsArguments {
  pid: number;
  enabled: boolean;
}

/** ksim/watchTaskState: a data breakpoint (write) on task_struct.state of `pid`, kept apart from the
 *  breakpoints VS Code manages; `enabled: false` removes it. Stopped reason "data breakpoint". */
export interface WatchTaskStateArguments {
  pid: number;
  enabled: boolean;
}

/** Body answered by breakWhenTaskRuns / watchTaskState. */
export interface TaskBreakpointResponseBody {
  /** Human-readable confirmation: "will stop when pipeline [9] is switched in". */
  message: string;
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

/** Body of the `ksim/status` event (status bar). */
export interface StatusEventBody {
  /** Machine state. */
  state: 'running' | 'stopped' | 'exited';
  /** Virtual time in instructions. */
  time: number;
  jiffies?: number;
  cpus: {
    cpu: number;
    runState: CpuView['runState'];
    /** Task running there; null before the scheduler starts or without symbols. */
    current: TaskRef | null;
  }[];
}

// ---------------------------------------------------------------------------------------------
// Helpers usable on both sides
// ---------------------------------------------------------------------------------------------

/** Narrowing helper: true when the body is the "not available" shape. */
export function isUnavailable(body: unknown): body is KernelViewUnavailable {
  return typeof body === 'object' && body !== null && (body as { available?: unknown }).available === false;
}

/** Map from request name to its arguments and response body, for typed clients. */
export interface KsimRequestMap {
  'ksim/tasks': [TasksArguments, TasksResponseBody];
  'ksim/cpus': [CpusArguments, CpusResponseBody];
  'ksim/irqs': [IrqsArguments, IrqsResponseBody];
  'ksim/softirqs': [SoftirqsArguments, SoftirqsResponseBody];
  'ksim/workqueues': [WorkqueuesArguments, WorkqueuesResponseBody];
  'ksim/timers': [TimersArguments, TimersResponseBody];
  'ksim/waitqueues': [WaitqueuesArguments, WaitqueuesResponseBody];
  'ksim/dmesg': [DmesgArguments, DmesgResponseBody];
  'ksim/timeline': [TimelineArguments, TimelineResponseBody];
  'ksim/contextSwitch': [ContextSwitchArguments, ContextSwitchResponseBody];
  'ksim/profile': [ProfileArguments, ProfileResponseBody];
  'ksim/continueToContextSwitch': [ContinueToContextSwitchArguments, Record<string, never>];
  'ksim/continueToInterrupt': [ContinueToInterruptArguments, Record<string, never>];
  'ksim/raiseIrq': [RaiseIrqArguments, RaiseIrqResponseBody];
  'ksim/breakWhenTaskRuns': [BreakWhenTaskRunsArguments, TaskBreakpointResponseBody];
  'ksim/watchTaskState': [WatchTaskStateArguments, TaskBreakpointResponseBody];
}

/** Stopped-event reasons the adapter uses besides DAP's standard ones. */
export const KsimStopReason = {
  contextSwitch: 'context switch',
  interrupt: 'interrupt',
  taskRuns: 'task runs',
} as const;
