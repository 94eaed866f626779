// Debug-adapter figures for `npm run bench` (cases added to simulator/bench's list):
//   adapter-first-stop  launch -> first stop at `schedule` on the teaching kernel with 2 CPUs: machine
//                       construction, kernel and symbol loading, breakpoint resolution, boot to the stop
//                       (bar: <= 500 ms)
//   adapter-step        source-line steps (`next`) in the kernel with what an editor refreshes after
//                       each stop: threads, the stack, locals and arguments, registers, This CPU. Prints
//                       the refresh at the first stop (what the editor shows right after launch), the
//                       first step after it (where lazily parsed symbols are paid for) and the median
//                       of the following steps (bar: <= 30 ms)
// The engine runs synchronously here (no DAP transport): the figures are the engine's own cost.

import { readFileSync } from 'node:fs';
import { Machine } from '../simulator/machine/machine';
import { loadSymbols } from './symbols';
import { bundledKernelPath } from './launch-config';
import { Engine } from './engine/engine';
import type { StopInfo } from './engine/run-control';
import { Evaluator } from './engine/evaluator';
import { registerNodes } from './engine/register-view';
import { KernelViews } from './kernel/views';
import type { ViewNode } from './engine/view-node';
import { tracingBenchCase } from './kernel/tracing-bench';

interface AdapterBenchResult {
  name: string; instructions: number; seconds: number; cpuSeconds: number; serial: string; exitValue: number | undefined;
}

function clock() { return { wall: process.hrtime.bigint(), cpu: process.cpuUsage() }; }
function since(c: ReturnType<typeof clock>) {
  const u = process.cpuUsage(c.cpu);
  return { ms: Number(process.hrtime.bigint() - c.wall) / 1e6, cpuMs: (u.user + u.system) / 1000 };
}

/** A machine + engine on the bundled kernel, stopped at the first `schedule`. */
function launchToSchedule(): { engine: Engine; machine: Machine; stop: StopInfo; stops: { last?: StopInfo }; ms: number; cpuMs: number } {
  const c = clock();
  const image = new Uint8Array(readFileSync(bundledKernelPath()));
  const machine = new Machine({ cpus: 2, memoryMB: 128, cmdline: 'scenario=default hz=100', quantum: 1000, traceBufferSize: 65536 });
  machine.loadKernel(image);
  const symbols = loadSymbols(image);
  const stops: { last?: StopInfo } = {};
  const engine = new Engine(machine, symbols, { stepIntoInterrupts: false, showTasksAsThreads: true, disassemblyFlavor: 'att', synchronous: true }, {
    stopped: (info) => { stops.last = info; },
    output: () => {},
    exited: (code, message) => { throw new Error(`the kernel exited (${code}) before reaching schedule: ${message ?? ''}`); },
  });
  // What setFunctionBreakpointsRequest does (session.ts): gdb's locations of `break schedule`, and the
  // source line of the first one for the verified breakpoint.
  const addresses = symbols.breakpointAddresses('schedule');
  symbols.lineAt(addresses[0]);
  engine.breakpoints.setFunctions([{ id: 1, kind: 'function', functionName: 'schedule', addresses, verified: true, hits: 0 }]);
  engine.continue();
  const stop = stops.last;
  if (!stop) throw new Error('no stop at schedule');
  return { engine, machine, stop, stops, ...since(c) };
}

/** Everything VS Code asks for after a stop, fully materialised (values formatted, children listed). */
function refreshVariables(engine: Engine, evaluator: Evaluator, views: KernelViews, cpu: number): number {
  let n = 0;
  const touch = (nodes: ViewNode[], depth: number) => {
    for (const node of nodes) { n++; if (depth > 0 && node.children) touch(node.children(), depth - 1); }
  };
  engine.threads();
  const frames = engine.frames(cpu + 1);
  const vars = frames[0] ? evaluator.frameVariables(frames[0], cpu) : undefined;
  if (vars) { touch(vars.locals, 1); touch(vars.params, 1); }
  touch(registerNodes({ cpu: engine.cpu(cpu), read: engine.reader(cpu), parseNumber: Number }), 0);
  touch(views.thisCpuNodes(cpu), 0);
  return n + frames.length;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export const ADAPTER_BENCH_CASES = [
  {
    name: 'adapter-first-stop',
    description: 'debug adapter: launch -> first stop at schedule, teaching kernel, 2 CPUs (bar <= 500 ms)',
    run(): AdapterBenchResult {
      const r = launchToSchedule();
      const line = `launch -> stop at schedule: ${r.ms.toFixed(0)} ms wall, ${r.cpuMs.toFixed(0)} ms CPU, ${r.machine.time.toLocaleString('en-US')} instructions of boot`;
      console.log(`  adapter: ${line}`);
      return { name: this.name, instructions: r.machine.time, seconds: r.ms / 1000, cpuSeconds: r.cpuMs / 1000, serial: line, exitValue: 0 };
    },
  },
  {
    name: 'adapter-step',
    description: 'debug adapter: first and median source step (next) in schedule with threads/stack/variables/registers refreshed (bar <= 30 ms)',
    run(): AdapterBenchResult {
      const { engine, machine, stop, stops } = launchToSchedule();
      const evaluator = new Evaluator(engine);
      const views = new KernelViews(engine);
      const scheduleBps = engine.breakpoints.allCode().filter((b) => b.kind === 'function');
      const times: number[] = [];
      const cpuTimes: number[] = [];
      const t0 = machine.time;
      let cpu = stop.cpu;
      // The editor refreshes its views at the first stop too, before the user asks for a step.
      const r0 = clock();
      let nodes = refreshVariables(engine, evaluator, views, cpu);
      const firstRefresh = since(r0);
      // Each sample: run on to the next `schedule` (not measured), then one source-line step over,
      // plus the refresh an editor does. Stepping from a stop at schedule keeps every sample a real
      // `next` (no step into a kernel thread that never returns).
      for (let i = 0; i < 31; i++) {
        if (i > 0) {
          engine.breakpoints.setFunctions(scheduleBps);
          stops.last = undefined;
          engine.continue();
          cpu = (stops.last as StopInfo | undefined)?.cpu ?? cpu;
        }
        engine.breakpoints.setFunctions([]);
        const c = clock();
        stops.last = undefined;
        engine.startStep(cpu + 1, 'over', 'line');
        const stopped = stops.last as StopInfo | undefined;
        if (!stopped) throw new Error('the step did not stop');
        cpu = stopped.cpu;
        nodes = refreshVariables(engine, evaluator, views, cpu);
        const d = since(c);
        times.push(d.ms);
        cpuTimes.push(d.cpuMs);
      }
      // The first step is the one after the first stop; the median is over the following ones.
      const rest = times.slice(1), restCpu = cpuTimes.slice(1);
      const line = `refresh at the first stop ${firstRefresh.ms.toFixed(1)} ms; first step + refresh ${times[0].toFixed(1)} ms wall, ${cpuTimes[0].toFixed(1)} ms CPU; ` +
        `median step + refresh: ${median(rest).toFixed(1)} ms wall, ${median(restCpu).toFixed(1)} ms CPU over the next ${rest.length} steps (max ${Math.max(...rest).toFixed(1)} ms; ${nodes} values shown per stop)`;
      console.log(`  adapter: ${line}`);
      const total = times.reduce((a, b) => a + b, 0);
      return { name: this.name, instructions: machine.time - t0, seconds: total / 1000, cpuSeconds: cpuTimes.reduce((a, b) => a + b, 0) / 1000, serial: line, exitValue: 0 };
    },
  },
  tracingBenchCase(launchToSchedule),
];
