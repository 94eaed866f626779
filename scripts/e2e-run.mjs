// `npm run e2e` (after scripts/e2e-setup.sh): the end-to-end test in a real VS Code.
//  1. build and package the extension (out/ksim-<version>.vsix);
//  2. install the .vsix into a fresh code-server 4.100.3 (VS Code 1.100) profile;
//  3. start code-server on a free local port with a scratch workspace;
//  4. run test/e2e/workbench-driver.mjs, which drives the workbench in headless Chromium with
//     playwright-core, asserts on the DOM at each step and saves screenshots to test-artifacts/e2e/.
// Exit code = the driver's. code-server is stopped by its pid at the end.
// Env: KSIM_E2E_CACHE (code-server location), KSIM_E2E_SKIP_BUILD=1 (use the existing dist/ and .vsix).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const cache = process.env.KSIM_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'ksim-e2e');
const entry = path.join(cache, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const artifacts = path.join(root, 'test-artifacts', 'e2e');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const vsix = path.join(root, 'out', `${pkg.name}-${pkg.version}.vsix`);
const log = (m) => console.log(`e2e: ${m}`);

if (!existsSync(entry)) { console.error(`e2e: code-server is not installed in ${cache}; run scripts/e2e-setup.sh`); process.exit(2); }

if (process.env.KSIM_E2E_SKIP_BUILD !== '1') {
  log('building and packaging the extension');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [path.join(root, 'scripts', 'package-vsix.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
if (!existsSync(vsix)) { console.error(`e2e: ${vsix} not found (npm run package)`); process.exit(2); }

rmSync(artifacts, { recursive: true, force: true });
const scratch = path.join(artifacts, 'profile');
const userData = path.join(scratch, 'user-data');
const extensions = path.join(scratch, 'extensions');
// The workspace lives outside the repository so VS Code does not offer to open the parent git repo.
const workspace = path.join(os.tmpdir(), `ksim-e2e-workspace-${process.pid}`);
rmSync(workspace, { recursive: true, force: true });
for (const d of [userData, extensions, workspace, path.join(userData, 'User')]) mkdirSync(d, { recursive: true });
writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'workbench.tips.enabled': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'workbench.colorTheme': 'Default Dark Modern',
  'debug.openDebug': 'openOnDebugBreak',
  'window.restoreWindows': 'none',
  'git.openRepositoryInParentFolders': 'never',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
}, null, 2));
writeFileSync(path.join(workspace, 'README.md'), '# ksim e2e workspace\n\nNo launch.json here: F5 must debug the bundled kernel.\n');

log(`installing ${path.relative(root, vsix)} into a fresh profile`);
const installOut = execFileSync(process.execPath, [entry, '--user-data-dir', userData, '--extensions-dir', extensions,
  '--install-extension', vsix, '--force'], { encoding: 'utf8' });
if (!/successfully installed/i.test(installOut)) { console.error(installOut); console.error('e2e: the .vsix did not install'); process.exit(1); }

const port = await new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
const serverLog = createWriteStream(path.join(artifacts, 'code-server.log'));
const server = spawn(process.execPath, [entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry',
  '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened',
  '--user-data-dir', userData, '--extensions-dir', extensions, workspace], { stdio: ['ignore', 'pipe', 'pipe'] });
server.stdout.pipe(serverLog); server.stderr.pipe(serverLog);
const stopServer = () => { if (server.exitCode === null) { try { process.kill(server.pid, 'SIGTERM'); } catch { /* gone */ } } };
process.on('exit', stopServer);
process.on('SIGINT', () => { stopServer(); process.exit(130); });

const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
for (let i = 0; ; i++) {
  try { const r = await fetch(`http://127.0.0.1:${port}/healthz`); if (r.ok) break; } catch { /* not up yet */ }
  if (i > 120 || server.exitCode !== null) { console.error('e2e: code-server did not come up; see test-artifacts/e2e/code-server.log'); stopServer(); process.exit(1); }
  await new Promise((r) => setTimeout(r, 500));
}
log(`code-server ${port} up; driving ${url}`);

const adapterBuilt = existsSync(path.join(root, 'debug-adapter', 'session.ts'));
const driverPath = process.env.KSIM_E2E_DRIVER ?? path.join(root, 'test', 'e2e', 'workbench-driver.mjs');
const driver = spawn(process.execPath, [driverPath], {
  stdio: 'inherit',
  env: { ...process.env, KSIM_E2E_URL: url, KSIM_E2E_ARTIFACTS: artifacts, KSIM_E2E_WORKSPACE: workspace,
    KSIM_E2E_ADAPTER: adapterBuilt ? 'built' : 'missing' },
});
const code = await new Promise((resolve) => driver.on('exit', (c) => resolve(c ?? 1)));
stopServer();
rmSync(workspace, { recursive: true, force: true });
log(code === 0 ? 'PASSED' : `FAILED (driver exit ${code}); screenshots and logs in test-artifacts/e2e/`);
process.exit(code);
