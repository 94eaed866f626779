// `npm run test:integration:code-server`: the integration suite (test/integration/suite) inside
// code-server's extension host — a real VS Code 1.100 extension host on this machine, where
// @vscode/test-electron cannot download VS Code. code-server starts an extension host when a browser
// window connects, so headless Chromium opens the workbench; the suite writes its results to a file.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { buildSuite, root } from '../test/integration/build-suite.mjs';

const cache = process.env.KSIM_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'ksim-e2e');
const entry = path.join(cache, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
if (!existsSync(entry)) { console.error(`integration: code-server is not installed in ${cache}; run scripts/e2e-setup.sh`); process.exit(2); }

const suite = await buildSuite();
const artifacts = path.join(root, 'test-artifacts', 'integration');
rmSync(artifacts, { recursive: true, force: true });
const userData = path.join(artifacts, 'user-data');
mkdirSync(path.join(userData, 'User'), { recursive: true });
writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({
  'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off',
  'git.openRepositoryInParentFolders': 'never',
}));
const workspace = path.join(os.tmpdir(), `ksim-integration-${process.pid}`);
mkdirSync(workspace, { recursive: true });
const resultsFile = path.join(artifacts, 'results.json');

const port = await new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
const log = createWriteStream(path.join(artifacts, 'code-server.log'));
const server = spawn(process.execPath, [entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry',
  '--disable-update-check', '--disable-workspace-trust', '--user-data-dir', userData,
  '--extensions-dir', path.join(artifacts, 'extensions'), workspace],
{ stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KSIM_INTEGRATION_RESULTS: resultsFile } });
server.stdout.pipe(log); server.stderr.pipe(log);
const stop = () => { if (server.exitCode === null) try { process.kill(server.pid, 'SIGTERM'); } catch { /* gone */ } };
process.on('exit', stop);

for (let i = 0; ; i++) {
  try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break; } catch { /* not yet */ }
  if (i > 120 || server.exitCode !== null) { console.error('integration: code-server did not start (test-artifacts/integration/code-server.log)'); stop(); process.exit(1); }
  await new Promise((r) => setTimeout(r, 500));
}
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const page = await browser.newPage();
// code-server's CLI does not take --extensionDevelopmentPath/--extensionTestsPath; its web workbench
// takes them from the `payload` query parameter (how VS Code web opens an Extension Development Host
// window), as URIs on the remote (the code-server machine).
const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
const payload = JSON.stringify([['extensionDevelopmentPath', remote(root)], ['extensionTestsPath', remote(suite)]]);
await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
const deadline = Date.now() + 10 * 60_000;
while (!existsSync(resultsFile) && Date.now() < deadline && server.exitCode === null) await new Promise((r) => setTimeout(r, 1000));
await page.screenshot({ path: path.join(artifacts, 'workbench.png') }).catch(() => {});
await browser.close();
stop();
rmSync(workspace, { recursive: true, force: true });
if (!existsSync(resultsFile)) {
  console.error('integration: the extension host did not run the suite (no results); see test-artifacts/integration/code-server.log');
  process.exit(1);
}
const r = JSON.parse(readFileSync(resultsFile, 'utf8'));
for (const t of r.results) console.log(`  ${t.state === 'passed' ? '✓' : '✗'} ${t.title}${t.error ? `\n      ${t.error}` : ''}`);
console.log(r.failures ? `integration: ${r.failures} failed` : `integration: all ${r.results.length} passed (code-server extension host)`);
process.exit(r.failures ? 1 : 0);
