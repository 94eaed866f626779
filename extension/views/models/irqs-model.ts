/**
 * Interrupts view: irq_desc[] per line, like /proc/interrupts plus what the kernel keeps per line —
 * status flags (IRQ_INPROGRESS while a CPU runs the handlers, IRQ_DISABLED with `depth` nested disables,
 * IRQ_PENDING when an interrupt arrived while disabled or in progress), and the irqaction chain (several
 * actions on one line = a shared IRQ, SA_SHIRQ).
 */
import type { IrqsBody, IrqLineView } from '../../../debug-adapter/protocol/kernel-views';
import { ViewNode, hex, hexShort } from '../view-node';

export function perCpuText(counts: number[]): string {
  return counts.map((n, cpu) => `cpu${cpu} ${n}`).join(', ');
}

export function irqDescription(l: IrqLineView): string {
  const parts: string[] = [];
  if (l.actions.length) parts.push(l.actions.map((a) => a.name).join(', '));
  if (l.chip) parts.push(l.chip);
  parts.push(`${l.total}`);
  const notable = l.status.names.filter((n) => n !== 'IRQ_LEVEL').map((n) => n.replace(/^IRQ_/, ''));
  if (notable.length) parts.push(notable.join('|'));
  return parts.join(' · ');
}

export function buildIrqTree(body: IrqsBody): ViewNode[] {
  const lines = body.lines.map((l): ViewNode => {
    const id = l.key;
    const kids: ViewNode[] = [
      { id: `${id}/status`, label: 'status', description: `${l.status.names.join(' ') || 'none'} (${hexShort(l.status.raw)})`,
        icon: 'symbol-enum', value: String(l.status.raw) },
      { id: `${id}/depth`, label: 'depth', description: String(l.depth), icon: 'layers', value: String(l.depth) },
      { id: `${id}/counts`, label: 'count per CPU', description: perCpuText(l.countsPerCpu), icon: 'graph',
        value: l.countsPerCpu.join(',') },
    ];
    if (l.vector !== undefined) kids.push({ id: `${id}/vector`, label: 'vector', description: hexShort(l.vector), icon: 'symbol-number' });
    if (l.unhandled !== undefined) kids.push({ id: `${id}/unhandled`, label: 'irqs_unhandled', description: String(l.unhandled), icon: 'warning', value: String(l.unhandled) });
    l.actions.forEach((a, i) => kids.push({
      id: `${id}/action${i}`, label: `action "${a.name}"`,
      description: `${a.handler.symbol ?? hex(a.handler.address)}` + (a.flags.names.length ? ` · ${a.flags.names.join('|')}` : ''),
      tooltip: `dev_id \`${hex(a.devId)}\``, icon: 'symbol-method',
      command: a.handler.file && a.handler.line ? { command: 'ksim.openLocation', title: 'Open handler', arguments: [a.handler.file, a.handler.line] } : undefined,
    }));
    return {
      id, label: `IRQ ${l.irq}`, description: irqDescription(l), icon: l.status.names.includes('IRQ_DISABLED') ? 'circle-slash' : 'zap',
      contextValue: 'irqLine', value: `${l.total}|${l.status.raw}|${l.depth}`, children: kids, data: { irq: l.irq, vector: l.vector },
    };
  });
  const other = (body.other ?? []).map((o): ViewNode => {
    const total = o.countsPerCpu.reduce((a, b) => a + b, 0);
    return {
      id: o.key, label: o.name, description: `${total} · ${perCpuText(o.countsPerCpu)}` + (o.vector !== undefined ? ` · vector ${hexShort(o.vector)}` : ''),
      icon: 'broadcast', value: o.countsPerCpu.join(','), data: { vector: o.vector },
    };
  });
  return [...lines, ...other];
}
