// Bundles every entry point with esbuild. Each entry is optional until the layer that owns it exists,
// so the build never references a file that is not there yet.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const entries = [
  // [source, output file, platform, externals]
  ['simulator/cli/main.ts', 'dist/cli.js', 'node', []],
  ['simulator/bench/bench-main.ts', 'dist/bench.js', 'node', []],
  ['debug-adapter/dap-main.ts', 'dist/dap.js', 'node', []],
  ['extension/extension.ts', 'dist/extension.js', 'node', ['vscode']],
  ['extension/language-server/server.ts', 'dist/language-server.js', 'node', []],
  ['media/timeline/timeline.ts', 'dist/media/timeline.js', 'browser', []],
  ['media/context-switch/context-switch.ts', 'dist/media/context-switch.js', 'browser', []],
];

const jobs = [];
for (const [src, out, platform, external] of entries) {
  if (!existsSync(path.join(root, src))) continue;
  jobs.push(build({
    entryPoints: [path.join(root, src)],
    outfile: path.join(root, out),
    bundle: true,
    platform,
    format: platform === 'browser' ? 'iife' : 'cjs',
    target: platform === 'browser' ? 'es2020' : 'node20',
    sourcemap: true,
    external,
    logLevel: 'warning',
    write: false,
  }));
}
// Outputs are written atomically (a temporary file renamed over the old one) and only when they
// changed: a test or a debug session that starts `dist/dap.js` or `dist/cli.js` while another build
// runs must never load a half-written bundle.
for (const result of await Promise.all(jobs)) {
  for (const file of result.outputFiles) {
    if (existsSync(file.path) && Buffer.compare(readFileSync(file.path), file.contents) === 0) continue;
    mkdirSync(path.dirname(file.path), { recursive: true });
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
}

// iced-x86 (disassembly) loads its WebAssembly from `__dirname` at run time; once bundled, __dirname is
// dist/, so the .wasm must sit beside the bundles (dist/dap.js, dist/extension.js, the .vsix).
import { copyFileSync } from 'node:fs';
const icedWasm = path.join(root, 'node_modules', 'iced-x86', 'iced_x86_bg.wasm');
if (existsSync(icedWasm)) {
  mkdirSync(path.join(root, 'dist'), { recursive: true });
  const target = path.join(root, 'dist', 'iced_x86_bg.wasm');
  if (!existsSync(target) || Buffer.compare(readFileSync(target), readFileSync(icedWasm)) !== 0) {
    copyFileSync(icedWasm, `${target}.${process.pid}.tmp`);
    renameSync(`${target}.${process.pid}.tmp`, target);
  }
}
