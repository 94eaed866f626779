// A tree of named values, the engine's neutral form of "something the Variables view can show".
// The session turns nodes into DAP variables (children become a variablesReference); the engine and the
// kernel-awareness readers build nodes without knowing DAP.

export interface ViewNode {
  name: string;
  value: string;
  type?: string;
  /** Children, computed when the user expands the node (lazily: guest memory is read only then). */
  children?: () => ViewNode[];
  /** A C expression that evaluates to this value (for "Add to watch", "Copy as expression"). */
  evaluateName?: string;
  /** Address of the object, for the memory view (DAP memoryReference). */
  memoryReference?: number;
  /** setVariable support: parse `text`, store it, return the new display value. Throws on bad input. */
  set?: (text: string) => string;
  /** Presentation hint: 'register', 'data', 'class'... */
  kind?: string;
}

export function hex32(v: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(8, '0');
}

export function leaf(name: string, value: string, extra: Partial<ViewNode> = {}): ViewNode {
  return { name, value, ...extra };
}
