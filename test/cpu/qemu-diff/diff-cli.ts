// Command line for the differential trace: npx tsx test/cpu/qemu-diff/diff-cli.ts [KERNEL.elf ...]
// (default: every kernel in kernels/build). Prints instructions compared and the first divergence.
import { readdirSync } from 'fs';
import { join } from 'path';
import { diffKernel } from './trace-diff';

async function main() {
  const dir = join(__dirname, 'kernels', 'build');
  const elfs = process.argv.length > 2 ? process.argv.slice(2) : readdirSync(dir).filter((f) => f.endsWith('.elf')).map((f) => join(dir, f));
  let bad = 0;
  for (const elf of elfs) {
    const t0 = process.hrtime.bigint();
    const r = await diffKernel(elf);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`${elf}: ${r.compared} instructions compared (${r.qemuStates} QEMU dumps, ${r.undefinedFlagSyncs} undefined-flag syncs), ` +
      `QEMU exit ${r.qemuExit}, ${s.toFixed(1)} s`);
    if (r.divergence) { bad++; console.log(r.divergence); }
  }
  process.exit(bad ? 1 : 0);
}
main().catch((e) => { console.error(e); process.exit(2); });
