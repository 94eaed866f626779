#!/usr/bin/env node
// `npm run demo`: a headless debugging session of the bundled teaching kernel through `ksim dap`,
// narrated on the terminal. A tiny DAP client of our own (Content-Length framed JSON over the adapter's
// stdin/stdout) drives exactly the requests an editor would send:
//   1. stop in do_IRQ: which IRQ, and the stack of the task it interrupted;
//   2. stop in __do_softirq: the pending softirqs by name;
//   3. stop in schedule, then at switch_to: prev and next;
//   4. step instruction by instruction through switch_to until `current` changes;
//   5. print ps and runq.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const ksim = path.join(root, 'bin', 'ksim.js');
const schedC = path.join(root, 'simulator', 'guest', 'kernel', 'sched.c');
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const say = (s = '') => process.stdout.write(s + '\n');
const step = (n, s) => say(`\n${bold(`── ${n}. ${s} ──`)}`);
const t0 = Date.now();

// ------------------------------------------------------------------ a minimal DAP client
class DapClient {
  constructor(child) {
    this.child = child;
    this.seq = 1;
    this.pending = new Map();
    this.waiters = [];
    this.buffer = Buffer.alloc(0);
    this.serial = '';
    child.stdout.on('data', (d) => this.receive(d));
  }
  receive(data) {
    this.buffer = Buffer.concat([this.buffer, data]);
    for (;;) {
      const head = this.buffer.indexOf('\r\n\r\n');
      if (head < 0) return;
      const len = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, head).toString())[1]);
      if (this.buffer.length < head + 4 + len) return;
      const msg = JSON.parse(this.buffer.subarray(head + 4, head + 4 + len).toString());
      this.buffer = this.buffer.subarray(head + 4 + len);
      this.dispatch(msg);
    }
  }
  dispatch(msg) {
    if (msg.type === 'response') {
      const p = this.pending.get(msg.request_seq);
      this.pending.delete(msg.request_seq);
      if (msg.success) p.resolve(msg.body ?? {});
      else p.reject(new Error(`${p.command}: ${msg.message}`));
    } else if (msg.type === 'event') {
      if (msg.event === 'output' && msg.body.category === 'stdout') this.serial += msg.body.output;
      else if (msg.event === 'output' && msg.body.category !== 'telemetry') say(`   [adapter] ${msg.body.output.trimEnd()}`);
      this.waiters = this.waiters.filter((w) => !(w.event === msg.event && (w.resolve(msg.body), true)));
    }
  }
  request(command, args = {}) {
    const seq = this.seq++;
    const body = JSON.stringify({ seq, type: 'request', command, arguments: args });
    this.child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    return new Promise((resolve, reject) => this.pending.set(seq, { resolve, reject, command }));
  }
  event(name) {
    return new Promise((resolve) => this.waiters.push({ event: name, resolve }));
  }
  /** Send a run request (continue/step) and wait for the stop it leads to. */
  async runUntilStop(command, args) {
    const stopped = this.event('stopped');
    await this.request(command, args);
    return stopped;
  }
}

// ------------------------------------------------------------------ helpers
const hex = (v) => '0x' + (v >>> 0).toString(16);

async function frames(dap, threadId, n = 12) {
  return (await dap.request('stackTrace', { threadId, levels: n })).stackFrames;
}

function showStack(fs, indent = '   ') {
  for (const f of fs) {
    const where = f.source ? `  ${path.relative(root, f.source.path ?? f.source.name)}:${f.line}` : '';
    say(`${indent}${f.presentationHint === 'label' ? '' : '#'}${f.name.padEnd(28)} ${f.instructionPointerReference ?? ''}${where}`);
  }
}

async function evaluate(dap, expression, frameId, context = 'watch', hex = false) {
  try {
    return (await dap.request('evaluate', { expression, frameId, context, ...(hex ? { format: { hex: true } } : {}) })).result;
  } catch (e) {
    return `<${e.message.replace(/^evaluate: /, '')}>`;
  }
}

async function scopeValue(dap, frameId, scopePrefix, name) {
  const { scopes } = await dap.request('scopes', { frameId });
  const scope = scopes.find((s) => s.name.startsWith(scopePrefix));
  if (!scope) return undefined;
  const { variables } = await dap.request('variables', { variablesReference: scope.variablesReference });
  return variables.find((v) => v.name === name)?.value;
}

async function threadName(dap, id) {
  const { threads } = await dap.request('threads');
  return threads.find((t) => t.id === id)?.name ?? '?';
}

// ------------------------------------------------------------------ the session
async function main() {
  say(bold('ksim demo: debugging a running SMP kernel through `ksim dap`'));
  say(`adapter: node ${path.relative(root, ksim)} dap   kernel: simulator/guest/build/ksim-kernel.elf   cpus: 2   scenario=default`);
  const child = spawn(process.execPath, [ksim, 'dap'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const dap = new DapClient(child);
  child.on('exit', (code) => { if (code) { say(`ksim dap exited with ${code}`); process.exit(1); } });

  await dap.request('initialize', { adapterID: 'ksim', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  const initialized = dap.event('initialized');
  let stopped = dap.event('stopped');
  const launched = dap.request('launch', { cpus: 2, scenario: 'default', hz: 100 });
  await initialized;

  // 1. do_IRQ, once a real task (pid > 0) has been interrupted.
  step(1, 'break in do_IRQ (condition: $pid > 0, i.e. not the idle task)');
  await dap.request('setFunctionBreakpoints', { breakpoints: [{ name: 'do_IRQ', condition: '$pid > 0' }] });
  await dap.request('configurationDone');
  await launched;
  let ev = await stopped;
  say(`stopped: ${ev.reason} on thread ${ev.threadId} (${await threadName(dap, ev.threadId)}) after ${Date.now() - t0} ms`);
  let fr = await frames(dap, ev.threadId, 16);
  const entry = fr.find((f) => f.presentationHint === 'label');
  const irqFromRegs = await evaluate(dap, 'regs->orig_eax + 256', fr[0].id);
  say(`IRQ number: regs->orig_eax + 256 = ${irqFromRegs}${entry ? `   (stack label: ${entry.name})` : ''}`);
  say('stack, from the handler down into the interrupted task:');
  showStack(fr);

  // 2. __do_softirq with its pending mask.
  step(2, 'break in __do_softirq: which softirqs are pending');
  await dap.request('setFunctionBreakpoints', { breakpoints: [{ name: '__do_softirq' }] });
  ev = await dap.runUntilStop('continue', { threadId: ev.threadId });
  fr = await frames(dap, ev.threadId, 8);
  say(`stopped in ${fr[0].name} on CPU ${ev.threadId - 1}`);
  say(`__softirq_pending: ${await scopeValue(dap, fr[0].id, 'This CPU', '__softirq_pending')}`);
  say(`preempt_count:     ${await scopeValue(dap, fr[0].id, 'This CPU', 'preempt_count')}`);
  showStack(fr.slice(0, 6));

  // 3. schedule: prev is current; at switch_to prev and next are both known.
  step(3, 'break in schedule, then at switch_to: prev and next');
  await dap.request('setFunctionBreakpoints', { breakpoints: [{ name: 'schedule' }] });
  ev = await dap.runUntilStop('continue', { threadId: ev.threadId });
  fr = await frames(dap, ev.threadId, 6);
  say(`stopped in schedule on CPU ${ev.threadId - 1}; prev = current = ${await scopeValue(dap, fr[0].id, 'This CPU', 'current')}`);
  showStack(fr);
  const switchLine = fs.readFileSync(schedC, 'utf8').split('\n').findIndex((l) => l.includes('switch_to(prev, next, prev);')) + 1;
  await dap.request('setFunctionBreakpoints', { breakpoints: [] });
  const bp = await dap.request('setBreakpoints', { source: { path: schedC }, breakpoints: [{ line: switchLine }] });
  say(`breakpoint at kernel/sched.c:${switchLine} (switch_to): ${bp.breakpoints[0].verified ? 'verified' : bp.breakpoints[0].message}`);
  ev = await dap.runUntilStop('continue', { threadId: ev.threadId });
  const cpuThread = ev.threadId;
  fr = await frames(dap, cpuThread, 6);
  say(`stopped at ${path.basename(fr[0].source?.path ?? '?')}:${fr[0].line} in ${fr[0].name} on CPU ${cpuThread - 1}`);
  // comm is char[16]; the evaluator prints all 16 bytes as C would, so drop the trailing NULs for reading.
  const comm = async (t) => (await evaluate(dap, `${t}->comm`, fr[0].id)).replace(/(\\000)+"$/, '"');
  say(`prev = ${await evaluate(dap, 'prev', fr[0].id)}: comm ${await comm('prev')}, pid ${await evaluate(dap, 'prev->pid', fr[0].id)}`);
  say(`next = ${await evaluate(dap, 'next', fr[0].id)}: comm ${await comm('next')}, pid ${await evaluate(dap, 'next->pid', fr[0].id)}`);
  say(`next->thread.esp = ${await evaluate(dap, 'next->thread.esp', fr[0].id, 'watch', true)}, next->thread.eip = ${await evaluate(dap, '(void *)next->thread.eip', fr[0].id)}`);
  await dap.request('setBreakpoints', { source: { path: schedC }, breakpoints: [] });

  // 4. Step through switch_to one instruction at a time until current changes.
  step(4, 'step through switch_to, one instruction at a time, until current changes');
  const before = await threadName(dap, cpuThread);
  say(`before: ${before}`);
  let changed = false;
  for (let i = 0; i < 60; i++) {
    const top = (await frames(dap, cpuThread, 1))[0];
    const dis = (await dap.request('disassemble', { memoryReference: top.instructionPointerReference, instructionCount: 1 })).instructions[0];
    await dap.runUntilStop('stepIn', { threadId: cpuThread, granularity: 'instruction' });
    const now = await threadName(dap, cpuThread);
    say(`   ${dis.address}  ${dis.instruction.padEnd(36)} ${now !== before && !changed ? `<- current is now ${now.replace(/^CPU \d+ · /, '')}` : ''}`);
    if (now !== before && !changed) { changed = true; }
    if (/<__switch_to>/.test(dis.instruction)) {
      // __switch_to (TSS esp0, TLS, fs/gs) is a C function: run it to its ret, which pops
      // next->thread.eip - label 1 in next's copy of switch_to.
      const out = await dap.runUntilStop('stepOut', { threadId: cpuThread });
      const back = (await frames(dap, cpuThread, 1))[0];
      say(`   ... __switch_to runs and returns (${out.reason}) to ${back.instructionPointerReference} in ${back.name} - label 1, in next's stack`);
    }
    if (changed && /popf/.test(dis.instruction)) break;
  }
  if (!changed) say('   (current did not change within 60 instructions)');
  fr = await frames(dap, cpuThread, 8);
  say(`after the switch, CPU ${cpuThread - 1} runs ${(await threadName(dap, cpuThread)).replace(/^CPU \d+ · /, '')}; its stack:`);
  showStack(fr);

  // 5. ps and runq.
  step(5, 'ps');
  say(await evaluate(dap, 'ps', undefined, 'repl'));
  step(6, 'runq');
  say(await evaluate(dap, 'runq', undefined, 'repl'));

  const serialLines = dap.serial.split('\n').filter(Boolean);
  say(`\n(serial console so far: ${serialLines.length} lines; last: "${serialLines.at(-1) ?? ''}")`);
  await dap.request('disconnect', { terminateDebuggee: true }).catch(() => {});
  child.kill();
  say(bold(`\ndemo finished in ${((Date.now() - t0) / 1000).toFixed(1)} s`));
}

main().catch((e) => {
  console.error(`demo failed: ${e.stack ?? e}`);
  process.exit(1);
});
