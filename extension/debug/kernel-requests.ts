/**
 * Typed access to the adapter's custom requests (debug-adapter/protocol/kernel-views.ts) through
 * `DebugSession.customRequest`. A failed request (adapter error, session gone) becomes the contract's
 * "not available" shape, so views always have something to render.
 */
import * as vscode from 'vscode';
import type { KsimRequestMap, KernelViewUnavailable } from '../../debug-adapter/protocol/kernel-views';

export type RequestName = keyof KsimRequestMap;
export type ArgsOf<K extends RequestName> = KsimRequestMap[K][0];
export type BodyOf<K extends RequestName> = KsimRequestMap[K][1];

/** Send a ksim custom request; the promise rejects with the adapter's error message. */
export async function ksimRequest<K extends RequestName>(session: vscode.DebugSession, command: K, args: ArgsOf<K>): Promise<BodyOf<K>> {
  return (await session.customRequest(command, args)) as BodyOf<K>;
}

/** Send a view request; errors turn into an unavailable body with the message. */
export async function ksimView<K extends RequestName>(session: vscode.DebugSession, command: K, args: ArgsOf<K>): Promise<BodyOf<K> | KernelViewUnavailable> {
  try {
    const body = await ksimRequest(session, command, args);
    if (body === undefined || body === null || typeof body !== 'object') {
      return { available: false, cause: 'error', reason: `the debug adapter gave no answer to ${command}` };
    }
    return body;
  } catch (e) {
    return { available: false, cause: 'error', reason: `${command} failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}
