/**
 * Entry point VS Code calls with --extensionTestsPath: runs the mocha suite in the extension host and
 * writes a JSON summary to $KSIM_INTEGRATION_RESULTS (if set), for runners that cannot see the exit code.
 */
import Mocha from 'mocha';
import { writeFileSync } from 'node:fs';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 240_000, reporter: 'spec' });
  mocha.suite.emit('pre-require', globalThis, 'ksim.integration', mocha);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./ksim.integration');
  const results: { title: string; state: string; error?: string }[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const file = process.env.KSIM_INTEGRATION_RESULTS;
      if (file) writeFileSync(file, JSON.stringify({ failures, results }, null, 2));
      if (failures) reject(new Error(`${failures} integration test(s) failed`)); else resolve();
    });
    runner.on('pass', (t) => results.push({ title: t.fullTitle(), state: 'passed' }));
    runner.on('fail', (t, err) => results.push({ title: t.fullTitle(), state: 'failed', error: String(err?.message ?? err) }));
  });
}
