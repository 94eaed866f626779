// `ksim dap`: the debug adapter as a process speaking DAP on stdin/stdout, for any DAP client
// (nvim-dap, Emacs dap-mode, VS Code's "run as a separate process" setting, the tests and the demo).
import { DebugSession } from '@vscode/debugadapter';
import { KsimDebugSession } from './session';

// stdout carries the protocol: anything else printed there would corrupt it.
console.log = (...args: unknown[]) => process.stderr.write(args.map(String).join(' ') + '\n');

DebugSession.run(KsimDebugSession);
