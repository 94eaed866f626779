/**
 * Figures for the kernel views' own cost per stop (the adapter's cost of reading guest memory is
 * measured by the adapter's bench): build the Kernel Tasks pstree and the CPUs tree from view models of
 * N tasks and mark the changes since the previous stop. Run: npx tsx extension/bench/views-bench.ts
 * Prints one JSON line per case: median and max milliseconds over the repetitions.
 */
import type { TaskView, TasksBody, CpusBody } from '../../debug-adapter/protocol/kernel-views';
import { buildTaskTree } from '../views/models/tasks-model';
import { buildCpuTree } from '../views/models/cpus-model';
import { ChangeTracker } from '../views/change-tracker';

function tasks(n: number, stop: number): TasksBody {
  const out: TaskView[] = [];
  for (let pid = 0; pid < n; pid++) {
    const address = 0xc1000000 + pid * 0x2000;
    const running = pid % 500 === stop % 500;
    out.push({
      pid, comm: `task${pid}`, address, key: '0x' + address.toString(16), tgid: pid,
      parentPid: pid === 0 ? null : pid < 10 ? 0 : Math.floor(pid / 10), stateValue: running ? 0 : 1,
      state: running ? 'R' : 'S', stateName: running ? 'TASK_RUNNING' : 'TASK_INTERRUPTIBLE', cpu: pid % 2, running,
      prio: 100 + ((pid + stop) % 40), kernelThread: pid < 20, variablesReference: pid + 1, expression: '',
    });
  }
  return { tasks: out };
}

function cpus(n: number, perCpu: number): CpusBody {
  return { cpus: Array.from({ length: n }, (_, c) => ({
    key: `cpu${c}`, cpu: c, runState: 'running' as const, mode: 'kernel' as const, stoppedHere: c === 0, eip: { address: 0xc0100000 },
    esp: 0xc0300000, interruptsEnabled: true, current: { pid: c, comm: 'x', address: c }, threadId: c + 1,
    runQueue: { address: 1, nrRunning: perCpu, active: { address: 2, nrActive: perCpu, lists: Array.from({ length: 40 }, (_, p) => ({
      prio: 100 + p, tasks: Array.from({ length: Math.ceil(perCpu / 40) }, (_, i) => ({ pid: p * 100 + i, comm: 't', address: i })) })) },
      expired: { address: 3, nrActive: 0, lists: [] } },
  })) };
}

/** Wall time and this process's CPU time (user+system): on a loaded machine the CPU time is the figure
 *  that does not count waiting for a core. */
function measure(name: string, reps: number, f: (i: number) => void): void {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage(); const t0 = performance.now();
    f(i);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0); cpu.push((c.user + c.system) / 1000);
  }
  const med = (a: number[]) => +a.sort((x, y) => x - y)[reps >> 1].toFixed(3);
  console.log(JSON.stringify({ case: name, reps, medianWallMs: med(wall), medianCpuMs: med(cpu), maxWallMs: +wall[reps - 1].toFixed(3) }));
}

for (const n of [100, 1000, 10000]) {
  const bodies = [0, 1, 2, 3].map((s) => tasks(n, s));
  const tracker = new ChangeTracker();
  measure(`tasks view, ${n} tasks (pstree + change marks)`, 21, (i) => { tracker.mark(buildTaskTree(bodies[i % 4])); });
}
const cpuTracker = new ChangeTracker();
const cpuBody = cpus(8, 1000);
measure('CPUs view, 8 CPUs x 1000 runnable', 21, () => { cpuTracker.mark(buildCpuTree(cpuBody)); });
