/**
 * The editor-neutral tree the kernel views render. The builders in this folder turn the adapter's view
 * models (debug-adapter/protocol/kernel-views.ts) into ViewNodes; kernel-tree-provider.ts turns ViewNodes
 * into VS Code TreeItems. Keeping the first step free of `vscode` lets unit tests check exactly what a
 * user will read in each row.
 */
export interface ViewNode {
  /** Unique within its view and stable across stops (built from kernel object keys), so that VS Code
   *  keeps expansion state and the change tracker can match a row with the same row at the last stop. */
  id: string;
  label: string;
  /** Grey text after the label. */
  description?: string;
  /** Markdown shown on hover; a function is only called when VS Code asks for the tooltip (hover), which
   *  keeps the per-stop cost of a 1,000-task tree down. */
  tooltip?: string | (() => string);
  /** Codicon name, e.g. "pulse"; colour is a theme colour id. */
  icon?: string;
  iconColor?: string;
  /** Used by `when` clauses of item menus (package.json: viewItem == task.running ...). */
  contextValue?: string;
  /** What the change highlight compares between stops; rows without it are never highlighted. */
  value?: string;
  /** Set by markChanges(): the value differs from the previous stop's. */
  changed?: boolean;
  children?: ViewNode[];
  /** Start expanded (default: collapsed when it has children). */
  expanded?: boolean;
  /** Children come lazily from a DAP `variables` request with this reference. */
  variablesReference?: number;
  /** Command run on click (id + arguments). */
  command?: { command: string; title: string; arguments?: unknown[] };
  /** Data for item commands (task pid, irq number...). */
  data?: Record<string, unknown>;
}

/** The placeholder row a view shows when it has nothing to list. */
export function emptyNode(id: string, text: string): ViewNode {
  return { id, label: text, icon: 'info' };
}

/** 0xc0345000 style hex, padded to 8 digits for addresses. */
export function hex(n: number, pad = 8): string {
  return '0x' + (n >>> 0).toString(16).padStart(pad, '0');
}

/** Compact hex without padding, for small values (flags, vectors). */
export function hexShort(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}
