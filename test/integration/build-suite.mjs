// Bundles the integration suite (TypeScript, runs inside the extension host) into out/integration/.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const root = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));
export const suiteEntry = path.join(root, 'out', 'integration', 'index.js');

export async function buildSuite() {
  await build({
    entryPoints: [path.join(root, 'test', 'integration', 'suite', 'index.ts')],
    outfile: suiteEntry, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    external: ['vscode', 'mocha'], sourcemap: true, logLevel: 'warning',
  });
  return suiteEntry;
}
