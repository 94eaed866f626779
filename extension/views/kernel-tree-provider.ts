/**
 * A TreeDataProvider over ViewNodes: one instance per kernel view. Rows whose value changed since the
 * last stop get a resourceUri in the `ksim-changed` scheme; ChangedRowDecorations colours them with the
 * theme colour `ksim.changedValue` (the same mechanism the Explorer uses for modified files), so the
 * highlight follows the user's theme. Rows with a DAP variablesReference expand through `variables`.
 */
import * as vscode from 'vscode';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { ViewNode } from './view-node';

export const CHANGED_SCHEME = 'ksim-changed';

export class ChangedRowDecorations implements vscode.FileDecorationProvider {
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== CHANGED_SCHEME) return undefined;
    return new vscode.FileDecoration('●', 'changed since the previous stop', new vscode.ThemeColor('ksim.changedValue'));
  }
}

export class KernelTreeProvider implements vscode.TreeDataProvider<ViewNode> {
  private roots: ViewNode[] = [];
  private readonly parents = new Map<ViewNode, ViewNode | undefined>();
  private readonly byId = new Map<string, ViewNode>();
  private readonly changeEmitter = new vscode.EventEmitter<ViewNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  /** Set by the controller: the session to ask for lazily expanded variables. */
  session: vscode.DebugSession | undefined;
  highlightChanges = true;

  constructor(readonly viewId: string) {}

  setRoots(nodes: ViewNode[]): void {
    this.roots = nodes;
    this.parents.clear();
    this.byId.clear();
    const index = (list: ViewNode[], parent: ViewNode | undefined) => {
      for (const n of list) {
        this.parents.set(n, parent);
        this.byId.set(n.id, n);
        if (n.children) index(n.children, n);
      }
    };
    index(nodes, undefined);
    this.changeEmitter.fire(undefined);
  }

  get rootNodes(): readonly ViewNode[] { return this.roots; }
  find(id: string): ViewNode | undefined { return this.byId.get(id); }
  findBy(pred: (n: ViewNode) => boolean): ViewNode | undefined {
    for (const n of this.byId.values()) if (pred(n)) return n;
    return undefined;
  }

  getTreeItem(n: ViewNode): vscode.TreeItem {
    const hasKids = (n.children && n.children.length > 0) || n.variablesReference !== undefined;
    const item = new vscode.TreeItem(n.label,
      !hasKids ? vscode.TreeItemCollapsibleState.None :
        n.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `${this.viewId}:${n.id}`;
    item.description = n.description;
    if (typeof n.tooltip === 'string') item.tooltip = new vscode.MarkdownString(n.tooltip);
    if (n.icon) item.iconPath = new vscode.ThemeIcon(n.icon, n.iconColor ? new vscode.ThemeColor(n.iconColor) : undefined);
    item.contextValue = n.contextValue;
    if (n.command) item.command = n.command;
    if (n.changed && this.highlightChanges) {
      item.resourceUri = vscode.Uri.from({ scheme: CHANGED_SCHEME, path: '/' + encodeURIComponent(n.id) });
    }
    item.accessibilityInformation = { label: `${n.label}${n.description ? ', ' + n.description : ''}${n.changed ? ', changed' : ''}` };
    return item;
  }

  /** Lazy tooltips: computed on hover only. */
  resolveTreeItem(item: vscode.TreeItem, n: ViewNode): vscode.TreeItem {
    if (typeof n.tooltip === 'function') item.tooltip = new vscode.MarkdownString(n.tooltip());
    return item;
  }

  async getChildren(n?: ViewNode): Promise<ViewNode[]> {
    if (!n) return this.roots;
    if (n.children) return n.children;
    if (n.variablesReference === undefined || !this.session) return [];
    try {
      const r = await this.session.customRequest('variables', { variablesReference: n.variablesReference }) as DebugProtocol.VariablesResponse['body'];
      const kids = (r?.variables ?? []).map((v): ViewNode => ({
        id: `${n.id}/${v.name}`, label: v.name, description: v.value, tooltip: v.type ? `\`${v.type}\`` : undefined,
        icon: v.variablesReference > 0 ? 'symbol-field' : 'symbol-variable',
        variablesReference: v.variablesReference > 0 ? v.variablesReference : undefined,
      }));
      for (const k of kids) this.parents.set(k, n);
      return kids;
    } catch (e) {
      return [{ id: `${n.id}/error`, label: `cannot read: ${e instanceof Error ? e.message : String(e)}`, icon: 'warning' }];
    }
  }

  getParent(n: ViewNode): ViewNode | undefined { return this.parents.get(n); }
}
