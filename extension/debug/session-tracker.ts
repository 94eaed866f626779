/**
 * Follows ksim debug sessions through the messages their adapter sends (a DebugAdapterTracker sees every
 * DAP message): stops, resumes, ksim/status events, the end. Views subscribe to `onDidStop` and refresh;
 * context keys (ksim.sessionActive, ksim.stopped, ksim.stoppedInSchedule) drive menus and the walkthrough.
 */
import * as vscode from 'vscode';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { KsimEvent, StatusEventBody } from '../../debug-adapter/protocol/kernel-views';

/** Requests after which the machine runs (until the next `stopped` event). */
const RESUMING_REQUESTS = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto',
  'ksim/continueToContextSwitch', 'ksim/continueToInterrupt']);

export interface StopInfo {
  session: vscode.DebugSession;
  body: DebugProtocol.StoppedEvent['body'];
  /** Increments with every stop seen by the extension. */
  seq: number;
}

export class KsimSessionTracker implements vscode.Disposable {
  private readonly sessions = new Set<vscode.DebugSession>();
  private readonly disposables: vscode.Disposable[] = [];
  private stopSeq = 0;
  private lastStop: StopInfo | undefined;
  private readonly stopEmitter = new vscode.EventEmitter<StopInfo>();
  private readonly resumeEmitter = new vscode.EventEmitter<vscode.DebugSession>();
  private readonly statusEmitter = new vscode.EventEmitter<StatusEventBody>();
  private readonly endEmitter = new vscode.EventEmitter<vscode.DebugSession>();
  private readonly startEmitter = new vscode.EventEmitter<vscode.DebugSession>();
  private readonly outputEmitter = new vscode.EventEmitter<string>();
  readonly onDidStop = this.stopEmitter.event;
  readonly onDidResume = this.resumeEmitter.event;
  readonly onDidStatus = this.statusEmitter.event;
  readonly onDidEnd = this.endEmitter.event;
  readonly onDidStart = this.startEmitter.event;
  /** Text of DAP output events (for tests and the log). */
  readonly onDidOutput = this.outputEmitter.event;

  constructor() {
    const tracker = this;
    this.disposables.push(
      vscode.debug.registerDebugAdapterTrackerFactory('ksim', {
        createDebugAdapterTracker(session) {
          return {
            onWillStartSession: () => tracker.started(session),
            onDidSendMessage: (m: DebugProtocol.ProtocolMessage) => tracker.message(session, m),
            onWillReceiveMessage: (m: DebugProtocol.ProtocolMessage) => tracker.request(session, m),
            onWillStopSession: () => tracker.ended(session),
            onExit: () => tracker.ended(session),
          };
        },
      }),
      vscode.debug.onDidTerminateDebugSession((s) => { if (s.type === 'ksim') this.ended(s); }),
      vscode.debug.onDidChangeActiveDebugSession(() => this.updateContext()),
      this.stopEmitter, this.resumeEmitter, this.statusEmitter, this.endEmitter, this.startEmitter, this.outputEmitter,
    );
    this.updateContext();
  }

  /** The ksim session the views show: the active one if it is ksim, else the most recent ksim session. */
  get session(): vscode.DebugSession | undefined {
    const active = vscode.debug.activeDebugSession;
    if (active && this.sessions.has(active)) return active;
    let last: vscode.DebugSession | undefined;
    for (const s of this.sessions) last = s;
    return last;
  }

  /** The last stop of the current session, if it is still stopped. */
  get stopped(): StopInfo | undefined {
    return this.lastStop && this.lastStop.session === this.session ? this.lastStop : undefined;
  }

  private started(session: vscode.DebugSession): void {
    if (this.sessions.has(session)) return;
    this.sessions.add(session);
    this.startEmitter.fire(session);
    this.updateContext();
  }

  private message(session: vscode.DebugSession, m: DebugProtocol.ProtocolMessage): void {
    if (m.type !== 'event') return;
    const ev = m as DebugProtocol.Event;
    switch (ev.event) {
      case 'initialized': this.started(session); break;
      case 'stopped': {
        this.started(session);
        this.lastStop = { session, body: (ev as DebugProtocol.StoppedEvent).body, seq: ++this.stopSeq };
        this.updateContext();
        this.stopEmitter.fire(this.lastStop);
        void this.checkStoppedInSchedule(this.lastStop);
        break;
      }
      case 'continued':
        if (this.lastStop?.session === session) this.lastStop = undefined;
        this.updateContext();
        this.resumeEmitter.fire(session);
        break;
      case KsimEvent.status:
        this.statusEmitter.fire(ev.body as StatusEventBody);
        break;
      case 'output': {
        const out = (ev as DebugProtocol.OutputEvent).body;
        if (out?.output) this.outputEmitter.fire(out.output);
        break;
      }
      case 'terminated': case 'exited':
        break;
    }
  }

  /** An adapter sends no "continued" event for resumes the client asked for, so watch the requests. */
  private request(session: vscode.DebugSession, m: DebugProtocol.ProtocolMessage): void {
    if (m.type !== 'request') return;
    const command = (m as DebugProtocol.Request).command;
    if (RESUMING_REQUESTS.has(command)) {
      if (this.lastStop?.session === session) this.lastStop = undefined;
      void vscode.commands.executeCommand('setContext', 'ksim.stoppedInSchedule', false);
      this.updateContext();
      this.resumeEmitter.fire(session);
    }
  }

  private ended(session: vscode.DebugSession): void {
    if (!this.sessions.delete(session)) return;
    if (this.lastStop?.session === session) this.lastStop = undefined;
    this.updateContext();
    this.endEmitter.fire(session);
  }

  /** Walkthrough step "Stop in schedule()": is the top frame of the stopped thread in schedule? */
  private async checkStoppedInSchedule(stop: StopInfo): Promise<void> {
    if (stop.body.threadId === undefined) return;
    try {
      const r = await stop.session.customRequest('stackTrace', { threadId: stop.body.threadId, startFrame: 0, levels: 1 }) as DebugProtocol.StackTraceResponse['body'];
      const top = r?.stackFrames?.[0]?.name ?? '';
      if (/^schedule\b/.test(top) && this.lastStop === stop) {
        await vscode.commands.executeCommand('setContext', 'ksim.stoppedInSchedule', true);
      }
    } catch { /* the session may have resumed meanwhile */ }
  }

  private updateContext(): void {
    const active = this.sessions.size > 0;
    void vscode.commands.executeCommand('setContext', 'ksim.sessionActive', active);
    void vscode.commands.executeCommand('setContext', 'ksim.stopped', this.stopped !== undefined);
  }

  dispose(): void { for (const d of this.disposables) d.dispose(); }
}
