// Disassembly of guest code with iced-x86 (AT&T or Intel syntax), annotated with symbols.
//
// x86 instructions have variable length (1..15 bytes), so "the 10 instructions before address A" is not
// well defined: decoding must start at an instruction boundary. We start at the enclosing function's
// first byte when the symbols know it, and otherwise try start points further and further back until
// the decoded stream lands exactly on A (x86 code self-synchronises within a few instructions).

import { Decoder, DecoderOptions, Formatter, FormatterSyntax, FlowControl, Instruction } from 'iced-x86';

/** Debugger read of guest memory: null when (part of) the range is unmapped. */
export type ReadMemory = (address: number, length: number) => Uint8Array | null;

export interface DisassembledInstruction {
  address: number;
  /** Raw bytes as hex pairs separated by spaces ("55 89 e5"). */
  bytes: string;
  /** Mnemonic and operands, e.g. "mov %esp,%ebp". */
  text: string;
  length: number;
  /** Target of a direct call/jump, when there is one. */
  branchTarget?: number;
  /** Control-flow class, used by stepping (calls are stepped over, returns end a step out). */
  kind: 'next' | 'call' | 'indirect-call' | 'branch' | 'conditional-branch' | 'indirect-branch' | 'return' | 'interrupt' | 'invalid';
}

const MAX_INSN = 15;

function kindOf(instr: Instruction): DisassembledInstruction['kind'] {
  if (instr.isInvalid) return 'invalid';
  switch (instr.flowControl) {
    case FlowControl.Call: return 'call';
    case FlowControl.IndirectCall: return 'indirect-call';
    case FlowControl.UnconditionalBranch: return 'branch';
    case FlowControl.ConditionalBranch: return 'conditional-branch';
    case FlowControl.IndirectBranch: return 'indirect-branch';
    case FlowControl.Return: return 'return';
    case FlowControl.Interrupt: return 'interrupt';
    default: return 'next';
  }
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** The longest readable run of up to `max` bytes at `address` (binary search), or null if none is. */
function readablePrefix(read: ReadMemory, address: number, max: number): Uint8Array | null {
  const whole = read(address, max);
  if (whole) return whole;
  let lo = 0;
  let hi = max; // read(address, lo) succeeds (trivially for 0), read(address, hi) fails
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (read(address, mid)) lo = mid; else hi = mid;
  }
  return lo > 0 ? read(address, lo) : null;
}

export class Disassembler {
  private formatterInstance?: Formatter;

  /** The formatter is built on the first disassembly (creating it runs iced-x86's WebAssembly for the
   * first time, a cost a launch that never disassembles should not pay). */
  constructor(private readonly flavor: 'att' | 'intel') {}

  private get formatter(): Formatter {
    if (this.formatterInstance) return this.formatterInstance;
    const f = new Formatter(this.flavor === 'att' ? FormatterSyntax.Gas : FormatterSyntax.Intel);
    f.firstOperandCharIndex = 7;
    f.spaceAfterOperandSeparator = false;
    // Print numbers the way objdump does (0x8(%esp), $0x7), so listings match the binutils people know.
    f.smallHexNumbersInDecimal = false;
    f.hexPrefix = '0x';
    f.hexSuffix = '';
    f.uppercaseHex = false;
    f.branchLeadingZeros = false;
    f.showZeroDisplacements = true;
    this.formatterInstance = f;
    return f;
  }

  /** Decode one instruction at `address`; bytes beyond readable memory make it 'invalid'. */
  decodeOne(read: ReadMemory, address: number): DisassembledInstruction {
    return this.decodeRun(read, address, 1)[0];
  }

  /**
   * Length and control-flow class of the instruction at `address`, without its text, bytes and branch
   * target (`text` and `bytes` are ''): what a step asks at every instruction. Formatting is most of
   * iced-x86's work per instruction, and building the formatter is a first-use cost a step that shows
   * no disassembly should not pay.
   */
  classifyOne(read: ReadMemory, address: number): DisassembledInstruction {
    return this.decodeRun(read, address, 1, false)[0];
  }

  /**
   * Decode `count` instructions starting at `address` (an instruction boundary). Unreadable memory gives
   * one-byte entries with text "<unreadable>" so the caller still gets `count` rows.
   */
  decodeRun(read: ReadMemory, address: number, count: number, withText = true): DisassembledInstruction[] {
    const out: DisassembledInstruction[] = [];
    let addr = address >>> 0;
    while (out.length < count) {
      // Read a window big enough for the remaining instructions, or as much of it as is readable.
      const cap = Math.min(4096, (count - out.length) * MAX_INSN + MAX_INSN);
      const window = readablePrefix(read, addr, cap);
      if (!window) {
        out.push({ address: addr, bytes: '??', text: '<unreadable>', length: 1, kind: 'invalid' });
        addr = (addr + 1) >>> 0;
        continue;
      }
      const decoder = new Decoder(32, window, DecoderOptions.None);
      decoder.ip = BigInt(addr);
      let consumed = 0;
      try {
        while (out.length < count && decoder.canDecode) {
          const instr = decoder.decode();
          try {
            const len = instr.length;
            // An instruction cut by the end of the window is decoded again from a fresh window, unless the
            // window is all that is readable.
            if (instr.isInvalid && consumed + MAX_INSN > window.length && window.length === cap) break;
            const text = instr.isInvalid ? '(bad)' : withText ? this.formatter.format(instr) : '';
            const kind = kindOf(instr);
            const entry: DisassembledInstruction = {
              address: (addr + consumed) >>> 0,
              bytes: withText ? hex(window.subarray(consumed, consumed + len)) : '',
              text, length: len, kind,
            };
            if (withText && (kind === 'call' || kind === 'branch' || kind === 'conditional-branch') && !instr.isInvalid) {
              entry.branchTarget = Number(instr.nearBranchTarget) >>> 0;
            }
            out.push(entry);
            consumed += len;
          } finally {
            instr.free();
          }
        }
      } finally {
        decoder.free();
      }
      if (consumed === 0) {
        // Nothing decodable at the very start of a tiny readable window: report one bad byte and move on.
        out.push({ address: addr, bytes: hex(window.subarray(0, 1)), text: '(bad)', length: 1, kind: 'invalid' });
        consumed = 1;
      }
      addr = (addr + consumed) >>> 0;
    }
    return out;
  }

  /**
   * Find an instruction boundary `back` instructions before `address`. `functionStart` (when the symbols
   * know which function contains the range) is a known boundary; otherwise candidate starts further back
   * are tried until one decodes exactly onto `address`.
   */
  boundaryBefore(read: ReadMemory, address: number, back: number, functionStart?: number): number {
    if (back <= 0) return address >>> 0;
    const candidates: number[] = [];
    if (functionStart !== undefined && functionStart <= address && address - functionStart < 65536) candidates.push(functionStart);
    // Farthest first: the further back decoding starts, the more surely it has synchronised by `address`.
    for (let distance = back * MAX_INSN + 64; distance >= back; distance -= 1) {
      const start = Math.max(0, address - distance);
      if (candidates[candidates.length - 1] !== start) candidates.push(start);
    }
    for (const start of candidates) {
      const starts = this.boundariesBetween(read, start >>> 0, address >>> 0);
      if (starts && starts.length >= back) return starts[starts.length - back];
    }
    // No boundary found (data, unmapped): fall back to byte granularity.
    return Math.max(0, address - back) >>> 0;
  }

  /** Instruction start addresses from `start` up to `end` (exclusive), or null if decoding steps over `end`. */
  private boundariesBetween(read: ReadMemory, start: number, end: number): number[] | null {
    const bytes = read(start, end - start + MAX_INSN) ?? read(start, end - start);
    if (!bytes) return null;
    const decoder = new Decoder(32, bytes, DecoderOptions.None);
    decoder.ip = BigInt(start);
    const starts: number[] = [];
    let pos = 0;
    try {
      while (start + pos < end && decoder.canDecode) {
        const instr = decoder.decode();
        const bad = instr.isInvalid;
        const len = instr.length;
        instr.free();
        if (bad) return null;
        starts.push(start + pos);
        pos += len;
      }
    } finally {
      decoder.free();
    }
    return start + pos === end ? starts : null;
  }
}
