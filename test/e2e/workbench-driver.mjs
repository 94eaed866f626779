// Drives a real VS Code (code-server) with playwright-core + Debian's chromium. Started by
// scripts/e2e-run.mjs, which passes KSIM_E2E_URL / KSIM_E2E_ARTIFACTS / KSIM_E2E_ADAPTER.
// Every step asserts on the workbench DOM (what a user sees) and saves a screenshot.
import { chromium } from 'playwright-core';
import path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repoRoot = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));

const url = process.env.KSIM_E2E_URL;
const artifacts = process.env.KSIM_E2E_ARTIFACTS;
const adapterBuilt = process.env.KSIM_E2E_ADAPTER === 'built';
if (!url || !artifacts) { console.error('workbench-driver: run it through scripts/e2e-run.mjs'); process.exit(2); }

const results = [];
let page;
let shot = 0;

async function step(name, fn) {
  const t0 = Date.now();
  const file = `${String(++shot).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`;
  try {
    await fn();
    await page.screenshot({ path: path.join(artifacts, file) });
    results.push({ name, ok: true, ms: Date.now() - t0, screenshot: file });
    console.log(`  ✓ ${name} (${Date.now() - t0} ms) → ${file}`);
  } catch (e) {
    await page.screenshot({ path: path.join(artifacts, file.replace('.png', '-FAILED.png')) }).catch(() => {});
    results.push({ name, ok: false, ms: Date.now() - t0, error: String(e?.message ?? e) });
    console.log(`  ✗ ${name}: ${e?.message ?? e}`);
    throw e;
  }
}

/** Run a command through the Command Palette, as a user would: F1, type its title, Enter. */
async function runCommand(title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 10000 });
  // Enter on the focused row, as a user does. Clicking raced the list's re-render ("recently used"
  // re-ordering): the row resolved, then was replaced before the click landed.
  const focused = page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title }).first();
  try {
    await focused.waitFor({ state: 'attached', timeout: 5000 });
    await page.keyboard.press('Enter');
  } catch {
    await row.click({ force: true });
  }
}

async function expectVisible(locator, what, timeout = 30000) {
  try { await locator.first().waitFor({ state: 'visible', timeout }); } catch { throw new Error(`not visible: ${what}`); }
}

/** The document of a webview panel, found by its <h1> (webviews are nested iframes: index.html > fake.html). */
async function webviewFrame(heading, timeout = 20000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    for (const f of page.frames()) {
      if (!f.url().includes('fake.html')) continue;
      try { if (await f.locator('h1', { hasText: heading }).count()) return f; } catch { /* frame navigating */ }
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no webview with heading "${heading}"`);
}

/**
 * Open a ksim webview panel by command and wait until its script runs (body[data-ksim-ready]).
 * code-server's own service worker sometimes races the webview's resource service worker ("Found
 * unexpected service worker controller"), leaving a webview without its script and stylesheet; a
 * user would close and reopen the panel, and so do we (at most 3 attempts, each one logged).
 */
async function openWebview(command, heading) {
  for (let attempt = 1; attempt <= 3; attempt++) {
    await runCommand(command);
    const frame = await webviewFrame(heading);
    try {
      await frame.locator('body[data-ksim-ready="true"]').waitFor({ state: 'attached', timeout: 10000 });
      return frame;
    } catch {
      console.log(`    (webview "${heading}" did not load its script, attempt ${attempt}; reopening)`);
      await runCommand('View: Close Editor');
    }
  }
  throw new Error(`webview "${heading}" never loaded its script`);
}

function paneHeader(title) { return page.locator('.pane-header', { hasText: title }); }
/** Expand a side bar view (views start collapsed in a fresh profile). */
async function expandPane(title) {
  const h = paneHeader(title).first();
  await expectVisible(h, `view "${title}"`, 90000);
  if ((await h.getAttribute('aria-expanded')) === 'false') await h.click();
}
function paneBody(title) { return page.locator('.pane', { has: page.locator('.pane-header', { hasText: title }) }).locator('.pane-body'); }

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') results.push({ console: m.text().slice(0, 300) }); });

  await step('workbench loads with the ksim extension', async () => {
    await page.goto(url);
    await expectVisible(page.locator('.monaco-workbench'), 'the workbench', 60000);
    await expectVisible(page.locator('.activitybar'), 'the activity bar', 30000);
  });

  await step('Run and Debug shows the ksim views with empty states', async () => {
    await page.keyboard.press('Control+Shift+D');
    for (const title of ['Kernel Tasks', 'CPUs']) await expandPane(title);
    for (const title of ['Interrupts', 'Bottom Halves', 'Wait Queues', 'Kernel Log']) await expectVisible(paneHeader(title), `view "${title}" header`);
    await expectVisible(paneBody('Kernel Tasks').getByText('No ksim session is running'), 'the Kernel Tasks empty state');
    await expectVisible(paneBody('Kernel Tasks').getByRole('button', { name: /Debug the Bundled Kernel/ }), 'the "Debug the Bundled Kernel" button');
  });

  await step('the walkthrough opens', async () => {
    await runCommand('Welcome: Open Walkthrough...');
    const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Debug a running SMP kernel with ksim' });
    await expectVisible(pick, 'the ksim walkthrough in the walkthrough picker');
    await pick.first().click();
    await expectVisible(page.getByText('Boot the teaching kernel'), 'the first walkthrough step');
    await expectVisible(page.getByText('Stop in schedule()'), 'the schedule() step');
    await expectVisible(page.getByText('Step through switch_to'), 'the switch_to step');
  });

  await step('the Kernel Timeline opens with its empty state', async () => {
    const frame = await openWebview('ksim: Show Kernel Timeline', 'Kernel Timeline');
    await expectVisible(frame.locator('#status', { hasText: 'No ksim session is running' }), 'the timeline empty state', 20000);
    const swatch = await frame.locator('.sw-task').evaluate((e) => getComputedStyle(e, '::before').backgroundColor);
    if (!swatch || swatch === 'rgba(0, 0, 0, 0)') throw new Error('the legend swatch has no theme colour');
    await expectVisible(frame.locator('svg[role="application"]'), 'the timeline drawing (focusable)');
  });

  if (!adapterBuilt) {
    await step('F5 without launch.json reports that the adapter cannot start', async () => {
      await runCommand('ksim: Debug the Bundled Kernel');
      const toast = page.locator('.notifications-toasts .notification-list-item-message', { hasText: 'cannot start the debug adapter' });
      await expectVisible(toast, 'an error notification naming the adapter problem', 20000);
    });
  } else {
    await step('breakpoint in schedule() and F5', async () => {
      await runCommand('ksim: Add Breakpoint in schedule()');
      await expectVisible(page.locator('.debug-breakpoints, .pane-body').getByText('schedule', { exact: true }), 'the schedule function breakpoint');
      // F5 in a workspace without launch.json: VS Code asks which debugger; ksim's provider then fills
      // in the bundled-kernel configuration.
      await page.keyboard.press('F5');
      const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'ksim' });
      await pick.first().waitFor({ state: 'visible', timeout: 15000 }).then(() => pick.first().click(), () => {});
      await expectVisible(page.locator('.debug-toolbar'), 'the debug toolbar', 60000);
    });
    await step('stops in schedule', async () => {
      await expectVisible(page.locator('.debug-call-stack .monaco-list-row', { hasText: 'schedule' }), 'a schedule frame in the Call Stack', 120000);
    });
    await step('Kernel Tasks and CPUs populated', async () => {
      for (const title of ['Kernel Tasks', 'CPUs']) await expandPane(title);
      await expectVisible(paneBody('Kernel Tasks').locator('.monaco-list-row', { hasText: /init|swapper|idle/ }), 'task rows', 30000);
      await expectVisible(paneBody('CPUs').locator('.monaco-list-row', { hasText: 'CPU 0' }), 'the CPU 0 row', 30000);
    });
    await step('run to the switch_to line of context_switch', async () => {
      // The line is found in the kernel source shipped in the .vsix (the same file the editor shows).
      const src = readFileSync(path.join(repoRoot, 'simulator', 'guest', 'kernel', 'sched.c'), 'utf8').split('\n');
      const line = src.findIndex((l) => /^\s*switch_to\(prev, next, prev\);/.test(l)) + 1;
      if (line <= 0) throw new Error('kernel/sched.c has no "switch_to(prev, next, prev);" line');
      // Turn the schedule() breakpoint off (its checkbox in the Breakpoints view), set one on that line
      // with Go to Line + F9 in the sched.c editor the stop opened, and continue.
      const bp = page.locator('.debug-breakpoints .monaco-list-row', { hasText: 'schedule' }).locator('input[type="checkbox"]');
      await expectVisible(bp, 'the schedule breakpoint checkbox');
      await bp.first().uncheck();
      await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
      await page.keyboard.press('Control+G');
      await page.keyboard.type(String(line));
      await page.keyboard.press('Enter');
      await page.keyboard.press('F9');
      await expectVisible(page.locator('.debug-breakpoints .monaco-list-row', { hasText: `sched.c` }), 'the line breakpoint in the Breakpoints view');
      await page.keyboard.press('F5');
      await expectVisible(page.locator('.statusbar-item', { hasText: `Ln ${line},` }), `a stop at sched.c:${line}`, 120000);
      await expectVisible(page.locator('.debug-call-stack .monaco-list-row', { hasText: 'context_switch' }), 'context_switch in the Call Stack');
      await openWebview('ksim: Show Context Switch Panel', 'Context Switch');
    });
    await step('step into switch_to: the context switch happens', async () => {
      await page.locator('.debug-toolbar .codicon-debug-step-into').first().click();
      await expectVisible(page.locator('.repl .monaco-list-row, .repl', { hasText: /context switch on CPU \d+: .+ → / }),
        'the Debug Console line "context switch on CPU n: A → B"', 60000);
    });
    await step('the timeline shows the context switch', async () => {
      const frame = await openWebview('ksim: Show Kernel Timeline', 'Kernel Timeline');
      await expectVisible(frame.locator('g[data-kind="switch"]'), 'a context switch marker in the timeline', 30000);
      const label = await frame.locator('g[data-kind="switch"]').first().getAttribute('aria-label');
      if (!label || !label.includes('→')) throw new Error(`switch marker without prev → next: ${label}`);
    });
  }
} catch {
  failed = true;
} finally {
  writeFileSync(path.join(artifacts, 'results.json'), JSON.stringify({ adapterBuilt, results }, null, 2));
  await browser.close();
}
console.log(failed ? 'workbench-driver: FAILED' : `workbench-driver: all ${results.filter((r) => r.ok).length} steps passed` + (adapterBuilt ? '' : ' (adapter not in this build: the debugging flow was checked up to the adapter error)'));
process.exit(failed ? 1 : 0);
