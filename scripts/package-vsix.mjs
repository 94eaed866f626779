// `npm run package`: builds out/ksim-<version>.vsix with @vscode/vsce from what `npm run build` put in
// dist/ (extension, adapter, language server, webview scripts — all bundled, so no node_modules are
// shipped) plus the bundled kernel image and its sources (.vscodeignore lists what goes in).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const required = ['dist/extension.js', 'dist/media/timeline.js', 'dist/media/context-switch.js', 'media/icons/ksim.png', 'LICENSE', 'CHANGELOG.md', 'README.md'];
const missing = required.filter((f) => !existsSync(path.join(root, f)));
if (missing.length) {
  console.error(`package: missing ${missing.join(', ')} — run \`npm run build\` first (and check the build succeeded).`);
  process.exit(1);
}
const optional = ['dist/dap.js', 'dist/cli.js', 'dist/language-server.js', 'simulator/guest/build/ksim-kernel.elf', 'dist/iced_x86_bg.wasm'];
for (const f of optional) if (!existsSync(path.join(root, f))) console.warn(`package: warning: ${f} is not built; the .vsix will lack it`);

mkdirSync(path.join(root, 'out'), { recursive: true });
const out = path.join(root, 'out', `${pkg.name}-${pkg.version}.vsix`);
const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out], { cwd: root, stdio: 'inherit' });
console.log(`package: ${path.relative(root, out)}`);
