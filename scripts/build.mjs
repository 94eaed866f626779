// Bundles every entry point with esbuild. Each entry is optional until the layer that owns it exists,
// so the build never references a file that is not there yet.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
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
  }));
}
await Promise.all(jobs);

// iced-x86 (disassembly) loads its WebAssembly from `__dirname` at run time; once bundled, __dirname is
// dist/, so the .wasm must sit beside the bundles (dist/dap.js, dist/extension.js, the .vsix).
import { copyFileSync, mkdirSync } from 'node:fs';
const icedWasm = path.join(root, 'node_modules', 'iced-x86', 'iced_x86_bg.wasm');
if (existsSync(icedWasm)) {
  mkdirSync(path.join(root, 'dist'), { recursive: true });
  copyFileSync(icedWasm, path.join(root, 'dist', 'iced_x86_bg.wasm'));
}
