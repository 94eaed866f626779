// The Debug Adapter Protocol session: requests in, events out, and nothing else. Every decision -
// where a breakpoint goes, when a step ends, what a task looks like - is made by the engine
// (./engine) and the kernel-awareness readers (./kernel); this class only maps between the two.
//
// It runs inline in VS Code (the extension instantiates KsimDebugSession) and as `ksim dap` on stdio.

import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  LoggingDebugSession, InitializedEvent, StoppedEvent, OutputEvent, TerminatedEvent, ExitedEvent,
  Thread, StackFrame, Source, Scope, Handles, Event, InvalidatedEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { Machine, KernelImageError } from '../simulator/machine/machine';
import { loadSymbols } from './symbols';
import type { SymbolFile } from './symbols/program';
import { resolveLaunchConfig, LaunchConfigError, type LaunchConfig } from './launch-config';
import { Engine, type EngineFrame, type StopInfo } from './engine/engine';
import { BreakpointTable, type CodeBreakpoint, type DataBreakpointSpec } from './engine/breakpoints';
import { EXCEPTION_FILTERS, ExceptionFilters } from './engine/exceptions';
import { registerNodes } from './engine/register-view';
import { hex32, type ViewNode } from './engine/view-node';
import type { TargetMachine } from './engine/target';
import { KernelCommands } from './kernel/commands';
import { KernelViews } from './kernel/views';
import { isKernelViewRequest, kernelViewRequest, startTracingAtStop } from './kernel/view-requests';
import { startProfiling } from './kernel/profile';
import { Evaluator } from './engine/evaluator';
import { complete } from './engine/completions';

/** Error ids of our DAP error responses (stable, for clients that match on them). */
const ERR = { launch: 1001, kernel: 1002, notStopped: 1003, request: 1004, evaluate: 1005 } as const;

interface FrameRef { threadId: number; cpu: number | undefined; frame: EngineFrame; index: number }

export class KsimDebugSession extends LoggingDebugSession {
  private config?: LaunchConfig;
  private machine?: Machine;
  private symbols?: SymbolFile;
  private engine?: Engine;
  private commands?: KernelCommands;
  private views?: KernelViews;
  private evaluator?: Evaluator;
  private bootSnapshot?: ReturnType<Machine['snapshot']>;
  private configurationDone?: () => void;
  private readonly configured: Promise<void>;
  private frameHandles = new Handles<FrameRef>();
  private variableHandles = new Handles<() => ViewNode[]>();
  /** Selected CPU for memory requests without a thread context (the last stop's CPU). */
  private focusCpu = 0;
  private serialLine = '';
  private pendingExceptionFilters: string[] = EXCEPTION_FILTERS.filter((f) => f.default).map((f) => f.filter);

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    this.configured = new Promise((resolve) => { this.configurationDone = resolve; });
  }

  // ================================================================== lifecycle

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsEvaluateForHovers: true,
      supportsSetVariable: true,
      supportsCompletionsRequest: true,
      completionTriggerCharacters: ['.', '>'],
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportsDataBreakpoints: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsDisassembleRequest: true,
      supportsSteppingGranularity: true,
      supportsInstructionBreakpoints: true,
      supportsLoadedSourcesRequest: true,
      supportsModulesRequest: true,
      supportsExceptionInfoRequest: true,
      supportsGotoTargetsRequest: true,
      supportsValueFormattingOptions: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS.map((f) => ({ filter: f.filter, label: f.label, description: f.description, default: !!f.default })),
    };
    this.sendResponse(response);
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments): Promise<void> {
    let config: LaunchConfig;
    try {
      config = resolveLaunchConfig(args);
    } catch (e) {
      if (e instanceof LaunchConfigError) return this.fail(response, ERR.launch, e.message);
      throw e;
    }
    try {
      this.startMachine(config);
    } catch (e) {
      const msg = e instanceof KernelImageError ? `kernel ${config.kernel}: ${e.message}` : `cannot start the machine: ${(e as Error).message}`;
      return this.fail(response, ERR.kernel, msg);
    }
    this.sendEvent(new InitializedEvent());
    // Breakpoints and exception filters arrive now; start once the client says configuration is done.
    await Promise.race([this.configured, new Promise((r) => setTimeout(r, 5000))]);
    this.sendResponse(response);
    if (config.stopOnEntry) {
      this.reportStop({ reason: 'entry', cpu: 0, description: 'stopped at the kernel entry point' });
    } else {
      this.engine!.continue();
    }
  }

  /** Build the machine, load the kernel and its symbols, and set up the engine. */
  private startMachine(config: LaunchConfig): void {
    const image = new Uint8Array(fs.readFileSync(config.kernel));
    const machine = new Machine({
      cpus: config.cpus, memoryMB: config.memoryMB, cmdline: config.cmdline, quantum: config.quantum,
      serialInput: config.serialInput, traceBufferSize: config.traceBufferSize,
    });
    machine.loadKernel(image);
    if (config.profile) startProfiling(machine);
    let symbols: SymbolFile | undefined;
    try {
      symbols = loadSymbols(image);
    } catch (e) {
      this.output(`no symbols: ${(e as Error).message}; debugging with raw addresses\n`, 'important');
    }
    this.config = config;
    this.machine = machine;
    this.symbols = symbols;
    this.bootSnapshot = machine.snapshot();
    machine.onSerialOutput((bytes) => this.onSerial(bytes));
    this.createEngine();
  }

  private createEngine(): void {
    const config = this.config!;
    const engine = new Engine(this.machine! satisfies TargetMachine, this.symbols, {
      stepIntoInterrupts: config.stepIntoInterrupts, showTasksAsThreads: config.showTasksAsThreads,
      disassemblyFlavor: config.disassemblyFlavor,
    }, {
      stopped: (info) => this.reportStop(info),
      output: (text, category) => this.output(text, category),
      exited: (code, message) => {
        if (message) this.output(message + '\n', 'important');
        this.output(`the machine exited with code ${code}\n`, 'console');
        this.sendEvent(new ExitedEvent(code));
        this.sendEvent(new TerminatedEvent());
      },
    });
    engine.exceptionFilters.set(this.pendingExceptionFilters);
    engine.setPanicBreakpoints(this.pendingExceptionFilters.includes('panic'));
    this.engine = engine;
    this.evaluator = new Evaluator(engine);
    engine.conditionEvaluator = (expr, cpu) => this.evaluator!.condition(expr, cpu);
    this.commands = new KernelCommands(engine);
    this.views = new KernelViews(engine);
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configurationDone?.();
    this.sendResponse(response);
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.engine?.terminate();
    this.sendResponse(response);
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.engine?.terminate();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  /** Restart = put the machine back into its boot snapshot; breakpoints stay. */
  protected override restartRequest(response: DebugProtocol.RestartResponse): void {
    if (!this.machine || !this.bootSnapshot || !this.engine) return this.fail(response, ERR.request, 'nothing to restart');
    const old = this.engine;
    old.terminate();
    this.machine.restore(this.bootSnapshot);
    if (this.config!.profile) startProfiling(this.machine); // the profile is of the last run: start again
    const bps = old.breakpoints;
    this.createEngine();
    this.engine!.breakpoints.copyFrom(bps);
    this.engine!.setDataBreakpoints(old.breakpoints.dataBps);
    this.sendResponse(response);
    if (this.config!.stopOnEntry) this.reportStop({ reason: 'entry', cpu: 0 });
    else this.engine!.continue();
  }

  // ================================================================== events

  private reportStop(info: StopInfo): void {
    this.frameHandles.reset();
    this.variableHandles.reset();
    this.focusCpu = info.cpu;
    if (this.engine) startTracingAtStop(this.engine);
    const ev = new StoppedEvent(info.reason, info.cpu + 1, info.text) as DebugProtocol.StoppedEvent;
    ev.body.allThreadsStopped = true;
    if (info.description) ev.body.description = info.description;
    if (info.hitBreakpointIds) ev.body.hitBreakpointIds = info.hitBreakpointIds;
    if (info.reason === 'halted') ev.body.reason = 'pause';
    this.sendEvent(ev);
    this.sendStatus('stopped');
  }

  private sendStatus(state: 'running' | 'stopped'): void {
    const e = this.engine;
    if (!e) return;
    const cpus = [];
    for (let i = 0; i < e.cpuCount; i++) {
      const t = state === 'stopped' ? e.currentTask(i) : undefined;
      const s = t !== undefined ? e.taskSummary(t) : undefined;
      cpus.push({ cpu: i, runState: e.cpu(i).runState === 'wait-for-sipi' ? 'waiting-for-sipi' : e.cpu(i).runState, current: s ? { pid: s.pid, comm: s.comm, address: s.address } : null });
    }
    this.sendEvent(new Event('ksim/status', { state, time: this.machine!.time, jiffies: this.views?.jiffies(), cpus }));
  }

  private output(text: string, category: string): void {
    this.sendEvent(new OutputEvent(text, category));
  }

  /** Serial output goes to the Debug Console as program output, a line at a time. */
  private onSerial(bytes: Uint8Array): void {
    let s = this.serialLine;
    for (const b of bytes) s += String.fromCharCode(b);
    const nl = s.lastIndexOf('\n');
    if (nl >= 0) {
      this.output(s.slice(0, nl + 1).replace(/\r/g, ''), 'stdout');
      s = s.slice(nl + 1);
    }
    this.serialLine = s;
  }

  private fail(response: DebugProtocol.Response, id: number, message: string): void {
    this.sendErrorResponse(response, { id, format: message.replace(/[{}]/g, (c) => (c === '{' ? '(' : ')')), showUser: true });
  }

  /** Run a handler and turn any exception into a DAP error response (the adapter stays alive). */
  private guard(response: DebugProtocol.Response, f: () => void): void {
    try {
      f();
    } catch (e) {
      this.fail(response, ERR.request, (e as Error).message ?? String(e));
    }
  }

  private requireStopped(): Engine {
    const e = this.engine;
    if (!e) throw new Error('no machine: launch first');
    if (e.isRunning) throw new Error('the machine is running; pause it first');
    return e;
  }

  // ================================================================== breakpoints

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    this.guard(response, () => {
      const e = this.mustHaveEngine();
      const file = args.source.path ?? args.source.name ?? '';
      const bps: CodeBreakpoint[] = [];
      const out: DebugProtocol.Breakpoint[] = [];
      for (const sb of args.breakpoints ?? []) {
        const id = e.breakpoints.newId();
        let bp: CodeBreakpoint;
        try {
          const opts = BreakpointTable.options(sb);
          const res = this.symbols?.addressesForLine(file, sb.line);
          const user = !res || res.addresses.length === 0 ? e.userPrograms?.resolveLine(file, sb.line) : undefined;
          if (user) {
            // A line of a user program: armed at its address in each program built from the file.
            const names = user.programs.map((p) => p.name).join(', ');
            bp = {
              id, kind: 'source', addresses: [...new Set(user.programs.flatMap((p) => p.addresses))], verified: true, hits: 0, ...opts,
              userPrograms: user.programs,
              message: `${user.moved ? `moved to line ${user.line}; ` : ''}user code: stops only while ${names} runs in user mode`,
              source: { path: file, requestedLine: sb.line, line: user.line },
            };
          } else if (!res || res.addresses.length === 0) {
            const why = !this.symbols ? 'the kernel has no symbols' : e.userPrograms?.isUserSource(file)
              ? `no code at or after line ${sb.line} in the user programs built from ${path.basename(file)}` : this.symbols.matchSourceFile(file).length === 0
              ? `${path.basename(file)} is not a source file of this kernel` : `no code at or after line ${sb.line}`;
            bp = { id, kind: 'source', addresses: [], verified: false, message: why, source: { path: file, requestedLine: sb.line }, hits: 0, ...opts };
          } else {
            bp = {
              id, kind: 'source', addresses: res.addresses, verified: true, hits: 0, ...opts,
              message: res.moved ? `moved to line ${res.line}, the next line with code` : undefined,
              source: { path: file, requestedLine: sb.line, line: res.line },
            };
          }
        } catch (err) {
          bp = { id, kind: 'source', addresses: [], verified: false, message: (err as Error).message, source: { path: file, requestedLine: sb.line }, hits: 0 };
        }
        bps.push(bp);
        out.push({ id, verified: bp.verified, line: bp.source?.line ?? sb.line, message: bp.message, source: args.source, instructionReference: bp.addresses.length ? hex32(bp.addresses[0]) : undefined });
      }
      e.breakpoints.setSource(file, bps);
      response.body = { breakpoints: out };
      this.sendResponse(response);
    });
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    this.guard(response, () => {
      const e = this.mustHaveEngine();
      const bps: CodeBreakpoint[] = [];
      const out: DebugProtocol.Breakpoint[] = [];
      for (const fb of args.breakpoints) {
        const id = e.breakpoints.newId();
        let bp: CodeBreakpoint;
        try {
          const opts = BreakpointTable.options(fb);
          // gdb's locations of `break name`: out-of-line copies past their prologue, every inlined copy, asm labels.
          const addresses = [...new Set(this.symbols?.breakpointAddresses(fb.name.trim()) ?? [])];
          bp = addresses.length
            ? { id, kind: 'function', addresses, verified: true, functionName: fb.name, hits: 0, ...opts }
            : { id, kind: 'function', addresses: [], verified: false, functionName: fb.name, message: `no function or label '${fb.name}' in the kernel`, hits: 0 };
        } catch (err) {
          bp = { id, kind: 'function', addresses: [], verified: false, functionName: fb.name, message: (err as Error).message, hits: 0 };
        }
        bps.push(bp);
        const loc = bp.addresses.length ? this.symbols?.lineAt(bp.addresses[0]) : undefined;
        out.push({
          id, verified: bp.verified, message: bp.message, instructionReference: bp.addresses.length ? hex32(bp.addresses[0]) : undefined,
          line: loc?.line, source: loc ? this.sourceOf(loc.file) : undefined,
        });
      }
      e.breakpoints.setFunctions(bps);
      response.body = { breakpoints: out };
      this.sendResponse(response);
    });
  }

  protected override setInstructionBreakpointsRequest(response: DebugProtocol.SetInstructionBreakpointsResponse, args: DebugProtocol.SetInstructionBreakpointsArguments): void {
    this.guard(response, () => {
      const e = this.mustHaveEngine();
      const bps: CodeBreakpoint[] = [];
      for (const ib of args.breakpoints) {
        const id = e.breakpoints.newId();
        const base = parseAddress(ib.instructionReference);
        if (base === undefined) {
          bps.push({ id, kind: 'instruction', addresses: [], verified: false, message: `'${ib.instructionReference}' is not an address`, hits: 0 });
          continue;
        }
        bps.push({ id, kind: 'instruction', addresses: [(base + (ib.offset ?? 0)) >>> 0], verified: true, hits: 0, ...BreakpointTable.options(ib) });
      }
      e.breakpoints.setInstructions(bps);
      response.body = { breakpoints: bps.map((b) => ({ id: b.id, verified: b.verified, message: b.message, instructionReference: b.addresses.length ? hex32(b.addresses[0]) : undefined })) };
      this.sendResponse(response);
    });
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.guard(response, () => {
      const ids = [...args.filters, ...(args.filterOptions ?? []).map((o) => o.filterId)];
      const unknown = new ExceptionFilters().set(ids);
      if (unknown.length) throw new Error(`unknown exception filter(s): ${unknown.join(', ')}`);
      this.pendingExceptionFilters = ids;
      this.engine?.exceptionFilters.set(ids);
      this.engine?.setPanicBreakpoints(ids.includes('panic'));
      this.engine?.updateDeliveryHooks();
      response.body = { breakpoints: ids.map(() => ({ verified: true })) };
      this.sendResponse(response);
    });
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    this.guard(response, () => {
      const e = this.mustHaveEngine();
      let expr = args.name;
      if (args.variablesReference !== undefined && args.variablesReference !== 0) {
        const kids = this.variableHandles.get(args.variablesReference)?.() ?? [];
        const v = kids.find((k) => k.name === args.name);
        if (v?.evaluateName) expr = v.evaluateName;
      }
      const lv = this.evaluator!.lvalue(expr, this.focusCpu);
      if (!lv) {
        response.body = { dataId: null, description: `'${args.name}' is not an object in memory` };
      } else {
        response.body = {
          dataId: `${hex32(lv.address)}/${lv.size}/${expr}`, description: `${expr} (${lv.size} bytes at ${hex32(lv.address)})`,
          accessTypes: ['write', 'read', 'readWrite'], canPersist: false,
        };
      }
      void e;
      this.sendResponse(response);
    });
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    this.guard(response, () => {
      const e = this.mustHaveEngine();
      const specs: DataBreakpointSpec[] = [];
      const out: DebugProtocol.Breakpoint[] = [];
      for (const db of args.breakpoints) {
        const m = /^(0x[0-9a-f]+)\/(\d+)\/(.*)$/i.exec(db.dataId);
        const id = e.breakpoints.newId();
        if (!m || Number(m[2]) < 1) { out.push({ id, verified: false, message: `bad dataId '${db.dataId}'` }); continue; }
        const opts = BreakpointTable.options(db);
        specs.push({
          id, address: parseInt(m[1], 16), size: Number(m[2]), access: db.accessType ?? 'write', description: m[3],
          condition: opts.condition, hitCondition: opts.hitCondition, hits: 0,
        });
        out.push({ id, verified: true, message: `${db.accessType ?? 'write'} of ${m[3]}` });
      }
      e.setDataBreakpoints(specs);
      response.body = { breakpoints: out };
      this.sendResponse(response);
    });
  }

  private mustHaveEngine(): Engine {
    if (!this.engine) throw new Error('no machine: launch first');
    return this.engine;
  }

  // ================================================================== execution control

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    this.guard(response, () => {
      const e = this.requireStopped();
      this.frameHandles.reset();
      this.variableHandles.reset();
      e.continue();
      response.body = { allThreadsContinued: true };
      this.sendResponse(response);
      this.sendStatus('running');
    });
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.guard(response, () => {
      const e = this.mustHaveEngine();
      if (!e.isRunning) throw new Error('the machine is already stopped');
      e.pause();
      this.sendResponse(response);
    });
  }

  private stepRequest(response: DebugProtocol.Response, threadId: number, kind: 'in' | 'over' | 'out', granularity?: DebugProtocol.SteppingGranularity): void {
    this.guard(response, () => {
      const e = this.requireStopped();
      this.frameHandles.reset();
      this.variableHandles.reset();
      e.startStep(threadId, kind, granularity === 'instruction' ? 'instruction' : 'line');
      this.sendResponse(response);
    });
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.stepRequest(response, args.threadId, 'over', args.granularity);
  }
  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.stepRequest(response, args.threadId, 'in', args.granularity);
  }
  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    this.stepRequest(response, args.threadId, 'out', args.granularity);
  }

  protected override gotoTargetsRequest(response: DebugProtocol.GotoTargetsResponse, args: DebugProtocol.GotoTargetsArguments): void {
    this.guard(response, () => {
      const res = this.symbols?.addressesForLine(args.source.path ?? '', args.line);
      response.body = { targets: (res?.addresses ?? []).map((a, i) => ({ id: a, label: `line ${res!.line} at ${hex32(a)}${i ? ` (#${i + 1})` : ''}`, line: res!.line, instructionPointerReference: hex32(a) })) };
      this.sendResponse(response);
    });
  }

  /** Goto: set the current CPU's eip (the thread must be a CPU thread). */
  protected override gotoRequest(response: DebugProtocol.GotoResponse, args: DebugProtocol.GotoArguments): void {
    this.guard(response, () => {
      const e = this.requireStopped();
      const cpu = e.cpuOfThread(args.threadId);
      if (cpu === undefined) throw new Error('goto needs a thread that runs on a CPU');
      const c = e.cpu(cpu);
      c.eip = (args.targetId - e.cpu(cpu).getSegment(1).base) >>> 0;
      this.sendResponse(response);
      this.reportStop({ reason: 'goto', cpu });
    });
  }

  // ================================================================== threads, stacks, variables

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    this.guard(response, () => {
      const e = this.engine;
      response.body = { threads: e ? e.threads().map((t) => new Thread(t.id, t.name)) : [] };
      this.sendResponse(response);
    });
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    this.guard(response, () => {
      const e = this.requireStopped();
      const frames = e.frames(args.threadId);
      const cpu = e.cpuOfThread(args.threadId);
      const start = args.startFrame ?? 0;
      const end = args.levels ? start + args.levels : frames.length;
      const out: DebugProtocol.StackFrame[] = [];
      frames.slice(start, end).forEach((f, i) => {
        const id = this.frameHandles.create({ threadId: args.threadId, cpu, frame: f, index: start + i });
        const name = f.kind === 'entry' ? f.function! : f.function
          ? `${f.function}${f.kind === 'inline' ? ' [inlined]' : ''}` : `${hex32(f.pc)}${f.userMode ? ' (user mode)' : ''}`;
        const sf: DebugProtocol.StackFrame = new StackFrame(id, name, undefined, f.line ?? 0, f.column ?? 0);
        if (f.file) sf.source = this.sourceOf(f.file);
        sf.instructionPointerReference = hex32(f.pc);
        if (f.kind === 'entry') sf.presentationHint = 'label';
        else if (!f.file) sf.presentationHint = 'subtle';
        out.push(sf);
      });
      response.body = { stackFrames: out, totalFrames: frames.length };
      this.sendResponse(response);
    });
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    this.guard(response, () => {
      const e = this.requireStopped();
      const ref = this.frameHandles.get(args.frameId);
      if (!ref) throw new Error(`unknown frame ${args.frameId}`);
      const scopes: DebugProtocol.Scope[] = [];
      const locals = this.evaluator!.frameVariables(ref.frame, ref.cpu ?? this.focusCpu);
      if (locals) {
        scopes.push(new Scope('Locals', this.variableHandles.create(() => locals.locals), false));
        scopes.push(new Scope('Arguments', this.variableHandles.create(() => locals.params), false));
      }
      const regScope = new Scope('Registers', this.variableHandles.create(() => this.registerScope(ref)), false) as DebugProtocol.Scope;
      regScope.presentationHint = 'registers';
      scopes.push(regScope);
      const cpu = ref.cpu ?? this.focusCpu;
      if (this.views) {
        scopes.push(new Scope(`This CPU (${cpu})`, this.variableHandles.create(() => this.views!.thisCpuNodes(cpu)), false));
        scopes.push(new Scope('Globals', this.variableHandles.create(() => this.views!.globalNodes()), true));
      }
      void e;
      response.body = { scopes };
      this.sendResponse(response);
    });
  }

  /** Registers of a frame: live CPU registers for a CPU's innermost frame, unwound values otherwise. */
  private registerScope(ref: FrameRef): ViewNode[] {
    const e = this.engine!;
    if (ref.cpu !== undefined && ref.index === 0) {
      return registerNodes({ cpu: e.cpu(ref.cpu), read: e.reader(ref.cpu), parseNumber: (t) => this.evaluator!.number(t, ref.cpu!) });
    }
    const r = ref.frame.regs;
    return Object.entries(r).filter(([, v]) => v !== undefined).map(([k, v]) => ({ name: k, value: hex32(v as number), evaluateName: `$${k}` }));
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    this.guard(response, () => {
      const provider = this.variableHandles.get(args.variablesReference);
      if (!provider) throw new Error(`unknown variables reference ${args.variablesReference}`);
      let nodes = provider();
      if (args.start !== undefined || args.count !== undefined) nodes = nodes.slice(args.start ?? 0, (args.start ?? 0) + (args.count ?? nodes.length));
      response.body = { variables: nodes.map((n) => this.toVariable(n, args.format?.hex)) };
      this.sendResponse(response);
    });
  }

  toVariable(n: ViewNode, _hex?: boolean): DebugProtocol.Variable {
    const v: DebugProtocol.Variable = {
      name: n.name, value: n.value, type: n.type, evaluateName: n.evaluateName,
      variablesReference: n.children ? this.variableHandles.create(n.children) : 0,
    };
    if (n.memoryReference !== undefined) v.memoryReference = hex32(n.memoryReference);
    if (n.kind === 'register') v.presentationHint = { kind: 'property' };
    return v;
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    this.guard(response, () => {
      this.requireStopped();
      const provider = this.variableHandles.get(args.variablesReference);
      const node = provider?.().find((n) => n.name === args.name);
      if (!node) throw new Error(`no variable '${args.name}' here`);
      if (!node.set) throw new Error(`'${args.name}' cannot be changed`);
      response.body = { value: node.set(args.value) };
      this.sendResponse(response);
      this.sendEvent(new InvalidatedEvent(['variables']));
    });
  }

  // ================================================================== evaluate, REPL, completions

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    this.guard(response, () => {
      const e = this.mustHaveEngine();
      const frame = args.frameId !== undefined ? this.frameHandles.get(args.frameId) : undefined;
      const cpu = frame?.cpu ?? this.focusCpu;
      const text = args.expression.trim();
      if (args.context === 'repl' && this.commands!.isCommand(text)) {
        if (e.isRunning) throw new Error('the machine is running; pause it first');
        response.body = { result: this.commands!.run(text, cpu), variablesReference: 0 };
        this.sendResponse(response);
        return;
      }
      if (args.context === 'repl' && e.isRunning && text.length) {
        // Debug Console input while running goes to the serial console, like typing into a terminal.
        this.machine!.sendSerialInput(text + '\n');
        response.body = { result: '', variablesReference: 0 };
        this.sendResponse(response);
        return;
      }
      this.requireStopped();
      const node = this.evaluator!.evaluate(text, cpu, frame?.frame, !!args.format?.hex);
      response.body = {
        result: node.value, type: node.type, variablesReference: node.children ? this.variableHandles.create(node.children) : 0,
        memoryReference: node.memoryReference !== undefined ? hex32(node.memoryReference) : undefined,
      };
      this.sendResponse(response);
    });
  }

  protected override completionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): void {
    this.guard(response, () => {
      // Only the line the cursor is on counts (a multi-line console input completes its last line).
      const col = (args.column ?? args.text.length + 1) - 1;
      const before = args.text.slice(0, col).split('\n').pop()!;
      const frame = args.frameId !== undefined ? this.frameHandles.get(args.frameId) : undefined;
      const cpu = frame?.cpu ?? this.focusCpu;
      const e = this.engine;
      const stopped = !!e && !e.isRunning;
      const { items, replace } = complete(before, true, {
        typeOf: (expr) => (stopped ? this.evaluator?.typeOf(expr, cpu, frame?.frame) : undefined),
        scopeNames: () => (stopped ? this.evaluator?.scopeNames(frame?.frame) ?? [] : []),
        globalNames: () => [
          ...[...(this.symbols?.globalNames() ?? [])].sort().map((label) => ({ label, type: 'variable' as const })),
          ...[...(this.symbols?.functionNames() ?? [])].sort().map((label) => ({ label, type: 'function' as const })),
        ],
        commands: this.commands?.names() ?? [],
        commandArguments: (cmd, i) => (stopped ? this.commands?.argumentCompletions(cmd, i) ?? [] : []),
      });
      response.body = {
        targets: items.map((it) => ({ label: it.label, detail: it.detail, type: it.type, start: col - replace, length: replace })),
      };
      this.sendResponse(response);
    });
  }

  // ================================================================== memory, disassembly, sources

  protected override readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): void {
    this.guard(response, () => {
      const e = this.requireStopped();
      const { address, physical } = this.memoryTarget(args.memoryReference);
      const start = (address + (args.offset ?? 0)) >>> 0;
      const count = Math.max(0, Math.min(args.count, 1 << 20));
      // Read page by page so an unmapped page ends the readable part instead of failing everything.
      const chunks: Uint8Array[] = [];
      let got = 0;
      while (got < count) {
        const a = (start + got) >>> 0;
        const n = Math.min(count - got, 0x1000 - (a & 0xfff));
        const b = physical ? this.machine!.readPhysical(a, n) : e.machine.readLinear(this.focusCpu, a, n);
        if (!b) break;
        chunks.push(b);
        got += n;
      }
      const data = Buffer.concat(chunks.map((c) => Buffer.from(c)));
      response.body = { address: hex32(start), data: data.toString('base64'), unreadableBytes: count - got };
      this.sendResponse(response);
    });
  }

  protected override writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): void {
    this.guard(response, () => {
      const e = this.requireStopped();
      const { address, physical } = this.memoryTarget(args.memoryReference);
      const start = (address + (args.offset ?? 0)) >>> 0;
      const bytes = new Uint8Array(Buffer.from(args.data, 'base64'));
      if (physical) this.machine!.writePhysical(start, bytes);
      else if (e.machine.writeLinear(this.focusCpu, start, bytes) === false) throw new Error(`${hex32(start)} is not writable through CPU ${this.focusCpu}'s page tables`);
      response.body = { bytesWritten: bytes.length };
      this.sendResponse(response);
      this.sendEvent(new InvalidatedEvent(['variables']));
    });
  }

  /** "0xc0100000" = linear through the focused CPU's page tables; "phys:0x1000" = physical. */
  private memoryTarget(ref: string): { address: number; physical: boolean } {
    const physical = /^phys(ical)?:/i.test(ref);
    const a = parseAddress(ref.replace(/^phys(ical)?:/i, ''));
    if (a === undefined) {
      const v = this.evaluator?.addressOf(ref, this.focusCpu);
      if (v === undefined) throw new Error(`'${ref}' is not a memory reference`);
      return { address: v, physical: false };
    }
    return { address: a, physical };
  }

  protected override disassembleRequest(response: DebugProtocol.DisassembleResponse, args: DebugProtocol.DisassembleArguments): void {
    this.guard(response, () => {
      const e = this.requireStopped();
      const base = parseAddress(args.memoryReference);
      if (base === undefined) throw new Error(`'${args.memoryReference}' is not an address`);
      const rows = e.disassemble(this.focusCpu, (base + (args.offset ?? 0)) >>> 0, args.instructionOffset ?? 0, Math.min(args.instructionCount, 4096));
      let lastLine: string | undefined;
      response.body = {
        instructions: rows.map((r) => {
          const sym = this.symbols?.describeAddress(r.address);
          const loc = this.symbols?.lineAt(r.address);
          const ins: DebugProtocol.DisassembledInstruction = {
            address: hex32(r.address), instructionBytes: r.bytes,
            instruction: r.branchTarget !== undefined && this.symbols?.describeAddress(r.branchTarget)
              ? `${r.text} <${this.symbols.describeAddress(r.branchTarget)}>` : r.text,
            symbol: sym,
          };
          if (loc) {
            const key = `${loc.file}:${loc.line}`;
            if (key !== lastLine) { ins.location = this.sourceOf(loc.file); ins.line = loc.line; lastLine = key; }
          }
          if (r.kind === 'invalid') ins.presentationHint = 'invalid';
          return ins;
        }),
      };
      this.sendResponse(response);
    });
  }

  protected override loadedSourcesRequest(response: DebugProtocol.LoadedSourcesResponse): void {
    this.guard(response, () => {
      // The kernel's sources, then those of every user program whose symbols a stack has needed so far.
      const files = [...(this.symbols?.sourceFiles() ?? [])];
      for (const p of this.engine?.userPrograms?.loadedPrograms() ?? []) files.push(...p.symbols.sourceFiles());
      response.body = { sources: [...new Set(files)].map((f) => this.sourceOf(f)) };
      this.sendResponse(response);
    });
  }

  /** `modules` (DebugSession has no handler of its own for it; customRequest routes it here). */
  private modulesRequest(response: DebugProtocol.ModulesResponse): void {
    this.guard(response, () => {
      const modules: DebugProtocol.Module[] = [];
      if (this.config) {
        const text = this.symbols?.elf.sections.filter((s) => s.name === '.text')[0];
        modules.push({
          id: 'kernel', name: path.basename(this.config.kernel), path: this.config.kernel,
          symbolStatus: this.symbols ? (this.symbols.units.length ? 'symbols loaded (DWARF)' : 'ELF symbols only') : 'no symbols',
          addressRange: text ? `${hex32(text.addr)}-${hex32(text.addr + text.size)}` : undefined,
        });
      }
      // User programs (linked into the kernel's initramfs_table): symbols load when a stack reaches them.
      for (const p of this.engine?.userPrograms?.programs ?? []) {
        const loaded = this.engine!.userPrograms!.loadedPrograms().find((l) => l.program === p);
        const text = loaded?.symbols.elf.section('.text');
        modules.push({
          id: `user:${p.name}`, name: p.name, path: `initramfs_table:${p.name}`,
          symbolStatus: loaded ? 'symbols loaded (DWARF, user program)' : 'user program (symbols load when a stack reaches it)',
          addressRange: text ? `${hex32(text.addr)}-${hex32(text.addr + text.size)}` : undefined,
        });
      }
      response.body = { modules, totalModules: modules.length };
      this.sendResponse(response);
    });
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    this.guard(response, () => {
      const s = this.engine?.lastStop;
      response.body = { exceptionId: s?.reason ?? 'none', description: s?.text ?? s?.description, breakMode: 'always' };
      this.sendResponse(response);
    });
  }

  protected override sourceRequest(response: DebugProtocol.SourceResponse, args: DebugProtocol.SourceArguments): void {
    this.guard(response, () => {
      const p = args.source?.path;
      if (!p || !fs.existsSync(p)) throw new Error(`source ${p ?? args.sourceReference} is not available`);
      response.body = { content: fs.readFileSync(p, 'utf8') };
      this.sendResponse(response);
    });
  }

  // ================================================================== custom requests

  protected override customRequest(command: string, response: DebugProtocol.Response, args: any): void {
    if (command === 'modules') return this.modulesRequest(response as DebugProtocol.ModulesResponse);
    this.guard(response, () => {
      const e = this.mustHaveEngine();
      switch (command) {
        case 'ksim/continueToContextSwitch':
          this.requireStopped();
          e.continueToContextSwitch(args ?? {});
          response.body = {};
          break;
        case 'ksim/continueToInterrupt': {
          this.requireStopped();
          const a = args ?? {};
          const vector = a.vector ?? (a.irq !== undefined ? this.views!.vectorOfIrq(a.irq) : undefined);
          e.continueUntilDelivery((cpu, ev) => {
            if (a.cpu !== undefined && a.cpu !== cpu) return undefined;
            if (ev.kind !== 'interrupt' && !(a.includeExceptions && ev.kind === 'exception')) return undefined;
            if (vector !== undefined && ev.vector !== vector) return undefined;
            const irq = this.views!.irqOfVector(ev.vector);
            return `${irq !== undefined ? `IRQ ${irq} ` : ''}(vector 0x${ev.vector.toString(16)}) on CPU ${cpu}`;
          });
          response.body = {};
          break;
        }
        case 'ksim/raiseIrq': {
          const irq = args?.irq;
          if (!Number.isInteger(irq) || irq < 0 || irq > 23) throw new Error(`'irq' must be an IRQ line 0..23, got ${JSON.stringify(irq)}`);
          this.machine!.raiseIrq(irq);
          response.body = { message: `IRQ ${irq} raised` };
          break;
        }
        default: {
          if (!isKernelViewRequest(this.views!, command)) throw new Error(`unknown request '${command}'`);
          response.body = kernelViewRequest(e, this.views!, command, args ?? {}, e.isRunning);
        }
      }
      this.sendResponse(response);
      if (command === 'ksim/continueToContextSwitch' || command === 'ksim/continueToInterrupt') this.sendStatus('running');
    });
  }

  // ================================================================== helpers

  /** A DAP Source for a line-table path: the file on disk when we can find it. */
  private sourceOf(file: string): DebugProtocol.Source {
    const p = this.resolveSourcePath(file);
    return new Source(path.basename(file), p);
  }

  private readonly sourcePathCache = new Map<string, string>();

  /**
   * Line tables record the paths the compiler saw. The teaching kernel is built with its tree mapped to
   * a fixed prefix (reproducible builds), so map each recorded path to the file next to the kernel ELF's
   * source tree (simulator/guest) by trying ever shorter tails of the path.
   */
  resolveSourcePath(file: string): string {
    const cached = this.sourcePathCache.get(file);
    if (cached) return cached;
    let found = file;
    if (!fs.existsSync(file) && this.config) {
      const roots = [path.dirname(path.dirname(this.config.kernel)), path.dirname(this.config.kernel), process.cwd()];
      const parts = file.split('/').filter((p) => p && p !== '.');
      outer: for (let i = 0; i < parts.length; i++) {
        for (const r of roots) {
          const candidate = path.join(r, ...parts.slice(i));
          if (fs.existsSync(candidate)) { found = candidate; break outer; }
        }
      }
    }
    this.sourcePathCache.set(file, found);
    return found;
  }
}

/** "0xc0100000", "c0100000h", "3221225472" -> number. */
export function parseAddress(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t, 16) >>> 0;
  if (/^[0-9]+$/.test(t)) return Number(t) >>> 0;
  return undefined;
}
