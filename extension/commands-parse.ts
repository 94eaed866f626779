/** Input validation for ksim commands (pure, unit-tested). */

/** The text of the "Raise IRQ" input box: an IRQ line 0..23 (ISA 0-15 via 8259A/IOAPIC, 16-23 IOAPIC),
 *  decimal or 0x hex. Returns the number, or the message to show under the input box. */
export function parseIrq(text: string): number | string {
  const t = text.trim();
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) return 'Enter an IRQ line number, e.g. 4 (COM1) or 0 (PIT).';
  const n = Number(t);
  if (n < 0 || n > 23) return 'IRQ lines go from 0 to 23 (ISA 0–15 through the 8259A/IOAPIC, 16–23 IOAPIC only).';
  return n;
}
