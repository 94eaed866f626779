import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { resolveLaunchConfig } from '../../debug-adapter/launch-config';

// The extension manifest is read by VS Code, not by our code: a command referenced by a menu but never
// declared, or a launch attribute the adapter rejects, only shows up in front of a user. Check them here
// against the things that really consume them (the adapter's launch validation, the extension sources,
// the media files).
const root = path.join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributes = pkg.contributes;
const extSources = (function collect(dir: string): string {
  return readdirSync(dir, { withFileTypes: true }).map((e) => e.isDirectory() ? collect(path.join(dir, e.name)) :
    e.name.endsWith('.ts') ? readFileSync(path.join(dir, e.name), 'utf8') : '').join('\n');
})(path.join(root, 'extension'));

describe('extension manifest: debugger contribution', () => {
  const dbg = contributes.debuggers.find((d: { type: string }) => d.type === 'ksim');
  const props = dbg.configurationAttributes.launch.properties as Record<string, { default?: unknown; enum?: unknown[]; description?: string; type?: string }>;

  it('documents every launch attribute the adapter accepts, each with a description', () => {
    const expected = ['kernel', 'cpus', 'memoryMB', 'cmdline', 'scenario', 'hz', 'stopOnEntry', 'serialInput',
      'stepIntoInterrupts', 'showTasksAsThreads', 'quantum', 'disassemblyFlavor', 'traceBufferSize', 'profile'];
    assert.deepEqual(Object.keys(props).sort(), expected.sort());
    for (const [k, v] of Object.entries(props)) assert.ok(v.description && v.description.length > 20, `${k} needs a description`);
  });

  it('every default and enum value is accepted by the adapter\'s launch validation', () => {
    const exists = () => true;
    for (const [k, v] of Object.entries(props)) {
      if (v.default !== undefined) assert.doesNotThrow(() => resolveLaunchConfig({ [k]: v.default }, exists), `${k} default ${JSON.stringify(v.default)}`);
      for (const e of v.enum ?? []) assert.doesNotThrow(() => resolveLaunchConfig({ [k]: e }, exists), `${k} enum ${JSON.stringify(e)}`);
    }
  });

  it('the declared ranges are the adapter\'s ranges (one past each end is rejected)', () => {
    const exists = () => true;
    for (const [k, v] of Object.entries(props) as [string, { minimum?: number; maximum?: number }][]) {
      if (v.minimum !== undefined) {
        assert.doesNotThrow(() => resolveLaunchConfig({ [k]: v.minimum }, exists), `${k}=${v.minimum}`);
        assert.throws(() => resolveLaunchConfig({ [k]: v.minimum! - 1 }, exists), new RegExp(k), `${k}=${v.minimum - 1}`);
      }
      if (v.maximum !== undefined) {
        assert.doesNotThrow(() => resolveLaunchConfig({ [k]: v.maximum }, exists), `${k}=${v.maximum}`);
        assert.throws(() => resolveLaunchConfig({ [k]: v.maximum! + 1 }, exists), new RegExp(k), `${k}=${v.maximum + 1}`);
      }
    }
  });

  it('initial configurations and snippets are valid launches', () => {
    const exists = () => true;
    for (const c of dbg.initialConfigurations) assert.doesNotThrow(() => resolveLaunchConfig(c, exists), c.name);
    for (const s of dbg.configurationSnippets) {
      const body = JSON.parse(JSON.stringify(s.body).replace(/"\^\\"[^"]*\\""/g, '"kernel.elf"'));
      assert.doesNotThrow(() => resolveLaunchConfig(body, exists), s.label);
    }
  });
});

describe('extension manifest: commands, menus, views, walkthrough', () => {
  const declared = new Set<string>(contributes.commands.map((c: { command: string }) => c.command));

  it('every declared command is registered by the extension, with a codicon', () => {
    for (const c of contributes.commands) {
      assert.ok(extSources.includes(`'${c.command}'`), `${c.command} is not registered in extension/`);
      assert.match(c.icon, /^\$\([a-z-]+\)$/, `${c.command} icon`);
    }
  });

  it('menus and keybindings only reference declared commands', () => {
    for (const [menu, items] of Object.entries(contributes.menus) as [string, { command: string }[]][]) {
      for (const i of items) assert.ok(declared.has(i.command), `${menu}: ${i.command}`);
    }
    for (const k of contributes.keybindings) assert.ok(declared.has(k.command), k.command);
    const bound = contributes.keybindings.map((k: { command: string }) => k.command).sort();
    assert.deepEqual(bound, ['ksim.continueToContextSwitch', 'ksim.continueToInterrupt']);
  });

  it('every view has an empty state and is created by the extension', () => {
    for (const v of contributes.views.debug) {
      assert.ok(contributes.viewsWelcome.some((w: { view: string }) => w.view === v.id), `${v.id} has no viewsWelcome`);
      assert.ok(extSources.includes(`'${v.id}'`), `${v.id} is not created in extension/`);
    }
  });

  it('walkthrough steps point at existing media and declared commands', () => {
    const wt = contributes.walkthroughs[0];
    assert.ok(wt.steps.length >= 4);
    for (const s of wt.steps) {
      assert.ok(existsSync(path.join(root, s.media.markdown)), s.media.markdown);
      for (const m of (s.description as string).matchAll(/command:([\w.]+)/g)) {
        assert.ok(declared.has(m[1]) || m[1].endsWith('.focus'), `${s.id}: ${m[1]}`);
      }
    }
  });

  it('every theme colour a webview stylesheet uses is contributed', () => {
    const ids = new Set<string>(contributes.colors.map((c: { id: string }) => c.id));
    for (const css of ['media/timeline/timeline.css', 'media/context-switch/context-switch.css']) {
      const text = readFileSync(path.join(root, css), 'utf8');
      for (const m of text.matchAll(/--vscode-ksim-([\w-]+)/g)) {
        const id = 'ksim.' + m[1].replace(/-/g, '.');
        assert.ok(ids.has(id), `${css} uses ${id}`);
      }
    }
  });

  it('points VS Code at the bundled entry and an existing icon', () => {
    assert.equal(pkg.main, './dist/extension.js');
    assert.ok(existsSync(path.join(root, pkg.icon)), pkg.icon);
    assert.ok(contributes.configuration.properties['ksim.adapter.mode'].enum.includes('process'));
  });
});
