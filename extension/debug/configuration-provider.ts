/**
 * Debug configurations for type `ksim`.
 *  - F5 without a launch.json: VS Code hands us an empty configuration; we fill in one that boots the
 *    bundled teaching kernel on 2 CPUs, so a first-time user goes from install to a running kernel with
 *    one key.
 *  - "Run and Debug" → "ksim…" (dynamic configurations) offers a few ready-made launches.
 *  - Launch attributes are validated by the adapter (debug-adapter/launch-config.ts) so every DAP client
 *    gets the same errors; here we only add what only the editor knows (the workspace folder as cwd).
 */
import * as vscode from 'vscode';

export const BUNDLED_CONFIGURATION: vscode.DebugConfiguration = {
  type: 'ksim', request: 'launch', name: 'ksim: debug the bundled kernel (2 CPUs)', cpus: 2, scenario: 'default',
};

/** The configuration F5 uses when the workspace has none. Exported for unit tests. */
export function defaultConfiguration(): vscode.DebugConfiguration {
  return { ...BUNDLED_CONFIGURATION };
}

export function isEmptyConfiguration(c: vscode.DebugConfiguration): boolean {
  return !c.type && !c.request && !c.name;
}

export class KsimConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [defaultConfiguration()];
  }

  resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration {
    if (isEmptyConfiguration(config)) return defaultConfiguration();
    if (!config.request) config.request = 'launch';
    if (!config.name) config.name = 'ksim';
    // A relative `kernel` path is relative to the workspace folder, like every other VS Code launch.
    if (folder && config.cwd === undefined && typeof config.kernel === 'string') config.cwd = folder.uri.fsPath;
    return config;
  }
}

/** Entries of the "Run and Debug" dropdown (DebugConfigurationProviderTriggerKind.Dynamic). */
export class KsimDynamicConfigurations implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [
      defaultConfiguration(),
      { type: 'ksim', request: 'launch', name: 'ksim: bundled kernel, 1 CPU, stop on entry', cpus: 1, stopOnEntry: true },
      { type: 'ksim', request: 'launch', name: 'ksim: bundled kernel, 4 CPUs, HZ 1000', cpus: 4, hz: 1000 },
    ];
  }
}
