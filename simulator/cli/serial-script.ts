// The `--serial-in FILE` format: console input for COM1.
//
// A plain file is delivered as it is, all of it available from virtual time 0 (the guest receives it
// byte by byte as fast as its UART takes it). A file whose first line is exactly `#ksim-serial` is a
// script with virtual timestamps, one event per line:
//
//   #ksim-serial
//   5000000 ps\n        <- at virtual time 5,000,000 ns the bytes "ps" and a newline arrive
//   # a comment line
//   9000000 echo hi\r\n
//
// The text after the first space runs to the end of the line; escapes \n \r \t \\ \xHH and \s (space)
// are understood; the line's own newline is not part of the input.

import type { SerialInputEvent } from '../machine/machine';

export class SerialScriptError extends Error {}

const HEADER = '#ksim-serial';

function unescape(text: string, lineNo: number): Uint8Array {
  const out: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== '\\') { for (const b of enc.encode(ch)) out.push(b); continue; }
    const e = text[++i];
    switch (e) {
      case 'n': out.push(10); break;
      case 'r': out.push(13); break;
      case 't': out.push(9); break;
      case 's': out.push(32); break;
      case '\\': out.push(92); break;
      case 'x': {
        const hex = text.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new SerialScriptError(`serial script line ${lineNo}: bad \\x escape`);
        out.push(parseInt(hex, 16)); i += 2; break;
      }
      default: throw new SerialScriptError(`serial script line ${lineNo}: unknown escape \\${e ?? ''}`);
    }
  }
  return Uint8Array.from(out);
}

export function parseSerialScript(file: Uint8Array): SerialInputEvent[] {
  const text = new TextDecoder().decode(file);
  const firstLine = text.split('\n', 1)[0].replace(/\r$/, '');
  if (firstLine !== HEADER) return file.length ? [{ time: 0, bytes: file }] : [];
  const events: SerialInputEvent[] = [];
  const lines = text.split('\n');
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n].replace(/\r$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\d+)(?: (.*))?$/.exec(line);
    if (!m) throw new SerialScriptError(`serial script line ${n + 1}: expected '<virtual-time> <text>'`);
    events.push({ time: Number(m[1]), bytes: unescape(m[2] ?? '', n + 1) });
  }
  return events;
}
