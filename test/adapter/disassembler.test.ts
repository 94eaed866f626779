// The disassembler against GNU objdump: a C fixture compiled with gcc -m32 -O2 at test time, its .text
// disassembled by both; instruction boundaries, bytes and (normalised) AT&T text must agree.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Disassembler } from '../../debug-adapter/engine/disassembler';

const FIXTURE = `
struct node { struct node *next; int v; };
int sum(struct node *n) { int s = 0; while (n) { s += n->v * 3 + (n->v >> 2); n = n->next; } return s; }
unsigned long long mul(unsigned long long a, unsigned b) { return a * b + (a >> 7); }
int sw(int x) { switch (x) { case 1: return 5; case 2: return 9; case 3: return 11; case 7: return 2; default: return x ^ 0x55; } }
void cpy(char *d, const char *s, int n) { while (n--) *d++ = *s++; }
int cmp(int a, int b) { return a < b ? -1 : a > b; }
static inline unsigned rdflags(void) { unsigned f; __asm__ volatile("pushfl; popl %0" : "=r"(f)); return f; }
unsigned flags_and_halt(unsigned *p) { unsigned f = rdflags(); __asm__ volatile("cli; sti; lock incl %0; int $0x80" : "+m"(*p)); return f; }
`;

interface ObjdumpLine { address: number; bytes: string; text: string }

/** Parse `objdump -d` rows: "  1b:\t01 c8   \tadd    %ecx,%eax"; continuation rows (long insns) extend bytes. */
function objdump(objFile: string): ObjdumpLine[] {
  const out = execFileSync('objdump', ['-d', '-w', objFile], { encoding: 'utf8' });
  const rows: ObjdumpLine[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t([0-9a-f ]+?)\s*\t(.*)$/.exec(line);
    if (m) rows.push({ address: parseInt(m[1], 16), bytes: m[2].trim(), text: m[3].trim() });
  }
  return rows;
}

/** Drop what objdump adds and iced does not: the "<sym+off>" of branch targets, runs of blanks. */
function normalise(text: string): string {
  // objdump spells a SIB byte without index as "%eiz,1" (an objdump-only pseudo register).
  const t = text.replace(/\s+<[^>]*>$/, '').replace(/,%eiz,1\)/, ')').replace(/\s+/g, ' ').trim();
  // objdump writes direct branch targets as bare hex ("je 23"), iced as "je 0x23".
  // objdump names the implicit segments of string instructions (movsb %ds:(%esi),%es:(%edi)); iced does not.
  if (/^(movs|cmps|stos|lods|scas|ins|outs)/.test(t)) return t.replace(/%[de]s:/g, '');
  const branch = /^((?:j[a-z]+|call|loop[a-z]*) )(?:0x)?([0-9a-f]+)$/.exec(t);
  return branch ? `${branch[1]}0x${branch[2]}` : t;
}

describe('adapter: disassembler vs objdump', function () {
  let text: Uint8Array;
  let reference: ObjdumpLine[];

  before(function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ksim-dis-'));
    fs.writeFileSync(path.join(dir, 'f.c'), FIXTURE);
    execFileSync('gcc', ['-m32', '-O2', '-fno-pic', '-c', path.join(dir, 'f.c'), '-o', path.join(dir, 'f.o')]);
    execFileSync('objcopy', ['-O', 'binary', '-j', '.text', path.join(dir, 'f.o'), path.join(dir, 'f.bin')]);
    text = new Uint8Array(fs.readFileSync(path.join(dir, 'f.bin')));
    reference = objdump(path.join(dir, 'f.o'));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const read = (a: number, n: number) => (a >= 0 && a + n <= text.length ? text.subarray(a, a + n) : null);

  it('decodes every instruction of the fixture with objdump\'s boundaries, bytes and text', function () {
    const dis = new Disassembler('att');
    const mine = dis.decodeRun(read, 0, reference.length);
    assert.ok(reference.length > 60, `fixture too small: ${reference.length} instructions`);
    const mismatches: string[] = [];
    for (let i = 0; i < reference.length; i++) {
      const where = `0x${reference[i].address.toString(16)}`;
      if (mine[i].address !== reference[i].address) mismatches.push(`${where}: address ${mine[i].address}`);
      if (mine[i].bytes !== reference[i].bytes) mismatches.push(`${where}: bytes ${mine[i].bytes} vs ${reference[i].bytes}`);
      if (normalise(mine[i].text) !== normalise(reference[i].text)) {
        mismatches.push(`${where}: '${normalise(mine[i].text)}' vs objdump '${normalise(reference[i].text)}'`);
      }
    }
    assert.deepEqual(mismatches, []);
  });

  it('finds the instruction boundary N instructions back from any instruction', function () {
    const dis = new Disassembler('att');
    for (let i = 0; i < reference.length; i += 3) {
      for (const back of [1, 4, 9]) {
        if (i - back < 0) continue;
        const got = dis.boundaryBefore(read, reference[i].address, back);
        assert.equal(got, reference[i - back].address, `${back} back from 0x${reference[i].address.toString(16)}`);
      }
    }
  });

  it('keeps going over unreadable memory and reports it', function () {
    const dis = new Disassembler('intel');
    const rows = dis.decodeRun((a, n) => (a >= 0x1000 && a + n <= 0x1004 ? new Uint8Array([0x55, 0x89, 0xe5, 0xc3]).subarray(a - 0x1000, a - 0x1000 + n) : null), 0x1000, 6);
    assert.deepEqual(rows.slice(0, 3).map((r) => normalise(r.text)), ['push ebp', 'mov ebp,esp', 'ret']);
    assert.equal(rows[3].text, '<unreadable>');
    assert.equal(rows.length, 6);
  });
});
