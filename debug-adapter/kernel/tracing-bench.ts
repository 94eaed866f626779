// `npm run bench -- adapter-tracing`: what the timeline's tracepoints (tracepoints.ts, armed at the
// session's first stop by view-requests.ts startTracingAtStop) cost a `continue`.
//
// Each sample boots the teaching kernel to its first `schedule` (2 CPUs, as adapter-first-stop), then
// continues for 20 M instructions (both CPUs together) - without tracing, or with the tracepoints armed at
// that stop. The guest does the same work in both (tracepoints never change what it does), so the
// difference is the tracing alone: a stop at every __switch_to and bottom-half entry/return, and those
// functions' pages leaving the CPU's compiled blocks.

import type { Engine } from '../engine/engine';
import type { StopInfo } from '../engine/run-control';
import { startTracingAtStop } from './view-requests';

const CONTINUE_INSTRUCTIONS = 20_000_000;
const SAMPLES = 5;

export interface TracingBenchLaunch { engine: Engine; stops: { last?: StopInfo } }

function clock() { return { wall: process.hrtime.bigint(), cpu: process.cpuUsage() }; }
function since(c: ReturnType<typeof clock>) {
  const u = process.cpuUsage(c.cpu);
  return { ms: Number(process.hrtime.bigint() - c.wall) / 1e6, cpuMs: (u.user + u.system) / 1000 };
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];

/** One timed continue from the first `schedule` stop; `launch` is the bench's launch-to-schedule. */
function sample(launch: () => TracingBenchLaunch, traced: boolean): { ms: number; cpuMs: number } {
  const { engine, stops } = launch();
  engine.breakpoints.setFunctions([]);
  if (traced) startTracingAtStop(engine);
  const before = engine.machine.instructionsRetired;
  stops.last = undefined;
  const c = clock();
  engine.continueFor(CONTINUE_INSTRUCTIONS);
  const d = since(c);
  const end = stops.last as StopInfo | undefined; // set by the engine's stopped callback
  if (end?.reason !== 'pause' || engine.machine.instructionsRetired - before < CONTINUE_INSTRUCTIONS) {
    throw new Error(`the continue ended early: ${JSON.stringify(end)}`);
  }
  return d;
}

export function tracingBenchCase(launch: () => TracingBenchLaunch) {
  return {
    name: 'adapter-tracing',
    description: 'debug adapter: a 20 M-instruction continue with and without the timeline tracepoints (teaching kernel, 2 CPUs)',
    run() {
      const plain: { ms: number; cpuMs: number }[] = [];
      const traced: { ms: number; cpuMs: number }[] = [];
      // Alternate, so a change in the machine's load hits both alike.
      for (let i = 0; i < SAMPLES; i++) { plain.push(sample(launch, false)); traced.push(sample(launch, true)); }
      const p = median(plain.map((x) => x.cpuMs)), t = median(traced.map((x) => x.cpuMs));
      const delta = (t / p - 1) * 100;
      const pw = median(plain.map((x) => x.ms)), tw = median(traced.map((x) => x.ms));
      const line = `continue 20 M instructions: ${pw.toFixed(0)} ms wall / ${p.toFixed(0)} ms CPU untraced, ` +
        `${tw.toFixed(0)} ms wall / ${t.toFixed(0)} ms CPU traced (CPU ${delta >= 0 ? '+' : ''}${delta.toFixed(1)} %; medians of ${SAMPLES})`;
      console.log(`  adapter: ${line}`);
      return { name: 'adapter-tracing', instructions: CONTINUE_INSTRUCTIONS * SAMPLES * 2, seconds: (plain.concat(traced).reduce((a, x) => a + x.ms, 0)) / 1000,
        cpuSeconds: (plain.concat(traced).reduce((a, x) => a + x.cpuMs, 0)) / 1000, serial: line, exitValue: 0 };
    },
  };
}
