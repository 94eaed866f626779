import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';

// The package manifest is what `npm ci`, `ksim` and VS Code all read: keep its promises checked.
describe('package manifest', () => {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
  it('exposes the ksim command and the README scripts', () => {
    assert.equal(pkg.bin.ksim, 'bin/ksim.js');
    for (const script of ['demo', 'test', 'bench', 'build']) assert.ok(pkg.scripts[script], script);
  });
  it('targets a VS Code that can run here (engines.vscode <= ^1.100.0)', () => {
    const m = /^\^?1\.(\d+)\./.exec(pkg.engines.vscode);
    assert.ok(m && Number(m[1]) <= 100, pkg.engines.vscode);
  });
});
