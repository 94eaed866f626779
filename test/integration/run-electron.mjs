// `npm run test:integration`: the integration suite in VS Code desktop via @vscode/test-electron.
// It downloads VS Code unless VSCODE_EXECUTABLE_PATH names an installed one (no download is possible
// on machines that only reach the npm registry: use `npm run test:integration:code-server` there).
import { runTests } from '@vscode/test-electron';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSuite, root } from './build-suite.mjs';

const extensionTestsPath = await buildSuite();
const workspace = mkdtempSync(path.join(os.tmpdir(), 'ksim-integration-'));
try {
  await runTests({
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH || undefined,
    version: process.env.VSCODE_EXECUTABLE_PATH ? undefined : '1.100.0',
    extensionDevelopmentPath: root,
    extensionTestsPath,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (e) {
  console.error(`integration: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
