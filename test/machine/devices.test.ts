// Device models checked against the rules of their data sheets (Intel SDM vol. 3A ch. 10 for the APICs,
// the 82093AA IOAPIC, 8259A and 8254 data sheets, the 16550A data sheet) — expectations are what the
// hardware documents say, not what the code happens to do.
import { strict as assert } from 'node:assert';
import { Lapic, LapicHost } from '../../simulator/devices/lapic';
import { IoApic } from '../../simulator/devices/ioapic';
import { PicPair } from '../../simulator/devices/pic8259';
import { Pit, pitTicksAt, timeOfPitTick, PIT_HZ } from '../../simulator/devices/pit8254';
import { Uart16550 } from '../../simulator/devices/uart16550';

function lapicWithHost(): { lapic: Lapic; eois: number[]; signals: { n: number } } {
  const eois: number[] = [];
  const host: LapicHost = {
    sendIpi: () => {}, broadcastEoi: v => eois.push(v), picHasInterrupt: () => false, picAcknowledge: () => -1,
    deadlinesChanged: () => {},
  };
  const lapic = new Lapic(0, host, true);
  const signals = { n: 0 };
  lapic.cpu = { signalInterrupt: () => { signals.n++; }, init: () => {}, startup: () => {}, raiseNmi: () => {} };
  lapic.write(0xf0, 0x1ff, 0);  // software enable
  return { lapic, eois, signals };
}

describe('machine: devices', () => {
  it('PIT tick <-> virtual time conversion is exact (checked with BigInt arithmetic)', () => {
    for (const t of [0, 1, 838, 839, 999_999_999, 1e9, 7.6e9, 123_456_789_012, 2 ** 52]) {
      const exact = Number((BigInt(t) * BigInt(PIT_HZ)) / 1_000_000_000n);
      assert.equal(pitTicksAt(t), exact, `ticks at ${t}`);
    }
    for (const k of [0, 1, 2, 1193181, 1193182, 11932, 10 ** 12]) {
      const t = timeOfPitTick(k);
      assert.ok(pitTicksAt(t) >= k && (t === 0 || pitTicksAt(t - 1) < k), `tick ${k} first seen at ${t}`);
    }
  });

  it('PIT channel 2 in mode 0 raises OUT2 (port 0x61 bit 5) after count/1.193182 MHz', () => {
    const pit = new Pit();
    pit.ioWrite(0x61, 0x01, 0);         // gate 2 high
    pit.ioWrite(0x43, 0xb0, 0);         // ch2, lo/hi, mode 0
    pit.ioWrite(0x42, 11932 & 0xff, 0);
    pit.ioWrite(0x42, 11932 >> 8, 0);
    // Counting starts at the next tick; OUT goes high after 11932 more: ~10.0 ms.
    const high = timeOfPitTick(1 + 11932);
    assert.equal(pit.ioRead(0x61, high - 1) & 0x20, 0);
    assert.equal(pit.ioRead(0x61, high) & 0x20, 0x20);
    assert.ok(Math.abs(high - 10_000_000) < 2000);
  });

  it('LAPIC: delivery by priority class, nesting, and EOI retire the highest in-service vector', () => {
    const { lapic, eois } = lapicWithHost();
    lapic.acceptFixed(0x41, false);
    lapic.acceptFixed(0x51, false);
    lapic.acceptFixed(0x31, true);       // level-triggered: its EOI must reach the IOAPIC
    assert.equal(lapic.acknowledgeInterrupt(), 0x51);           // highest first
    assert.equal(lapic.hasPendingInterrupt(), false, 'class 4 and 3 wait while class 5 is in service');
    lapic.acceptFixed(0x61, false);
    assert.equal(lapic.hasPendingInterrupt(), true, 'a higher class nests');
    assert.equal(lapic.acknowledgeInterrupt(), 0x61);
    assert.equal(lapic.read(0xa0, 0), 0x60, 'PPR = class of highest ISR');
    lapic.eoi();                                                // retires 0x61
    assert.equal(lapic.hasPendingInterrupt(), false);
    lapic.eoi();                                                // retires 0x51
    assert.equal(lapic.acknowledgeInterrupt(), 0x41);
    lapic.write(0x80, 0x50, 0);                                 // TPR above class 3
    lapic.eoi();
    assert.equal(lapic.hasPendingInterrupt(), false, 'TPR masks class 3');
    lapic.write(0x80, 0, 0);
    assert.equal(lapic.acknowledgeInterrupt(), 0x31);
    assert.deepEqual(eois, []);
    lapic.eoi();
    assert.deepEqual(eois, [0x31], 'EOI of a level-triggered vector is broadcast');
  });

  it('LAPIC timer: periodic and one-shot counts in virtual time with the divide configuration', () => {
    const { lapic } = lapicWithHost();
    lapic.write(0x3e0, 0x3, 0);                 // divide by 16
    lapic.write(0x320, (1 << 17) | 0x40, 0);    // periodic, vector 0x40
    lapic.write(0x380, 1000, 100);              // start at t=100
    assert.equal(lapic.timerDeadline, 100 + 16000);
    assert.equal(lapic.read(0x390, 100 + 1600), 900);
    lapic.timerExpired();
    assert.equal(lapic.timerDeadline, 100 + 32000, 'periodic reload keeps exact spacing');
    assert.equal(lapic.acknowledgeInterrupt(), 0x40);
    lapic.write(0x320, 0x40, 20000);            // one-shot
    lapic.write(0x3e0, 0xb, 20000);             // divide by 1
    lapic.write(0x380, 500, 20000);
    lapic.timerExpired();
    assert.equal(lapic.timerDeadline, Infinity);
    assert.equal(lapic.read(0x390, 30000), 0);
  });

  it('IOAPIC: edge pins deliver per rising edge; level pins wait for EOI (remote IRR)', () => {
    const sent: number[] = [];
    const io = new IoApic({ deliver: v => sent.push(v) }, 0);
    io.write(0, 0x10 + 2 * 4); io.write(0x10, 0x34);                     // pin 4: edge, vector 0x34
    io.write(0, 0x10 + 2 * 9); io.write(0x10, 0x39 | (1 << 15));          // pin 9: level, vector 0x39
    io.setLine(4, true); io.setLine(4, true); io.setLine(4, false); io.setLine(4, true);
    assert.deepEqual(sent, [0x34, 0x34]);
    io.setLine(9, true);
    io.setLine(9, true);
    assert.deepEqual(sent, [0x34, 0x34, 0x39]);
    io.write(0, 0x10 + 2 * 9);
    assert.ok(io.read(0x10) & (1 << 14), 'remote IRR set while in service');
    io.eoi(0x39);                                                          // still asserted: delivered again
    assert.deepEqual(sent, [0x34, 0x34, 0x39, 0x39]);
    io.setLine(9, false);
    io.eoi(0x39);
    assert.deepEqual(sent, [0x34, 0x34, 0x39, 0x39]);
    io.write(0, 1);
    assert.equal(io.read(0x10), 0x00170020, '24 entries');
  });

  it('8259A: ICW programming, fixed priority, EOI and the spurious IRQ 7', () => {
    const pic = new PicPair();
    for (const [p, v] of [[0x20, 0x11], [0xa0, 0x11], [0x21, 0x20], [0xa1, 0x28], [0x21, 4], [0xa1, 2], [0x21, 1], [0xa1, 1],
      [0x21, 0x00], [0xa1, 0x00]] as const) pic.ioWrite(p, v);
    pic.setIrq(3, true);
    pic.setIrq(1, true);
    pic.setIrq(12, true);
    assert.equal(pic.acknowledge(), 0x21, 'IRQ1 beats IRQ3');
    assert.equal(pic.hasInterrupt(), false, 'IRQs 2 (cascade) and 3 wait for the EOI of IRQ 1');
    pic.ioWrite(0x20, 0x20);                      // EOI IRQ1
    assert.equal(pic.acknowledge(), 0x2c, 'IRQ 12 via the cascade on IRQ 2 beats IRQ 3');
    pic.ioWrite(0xa0, 0x20); pic.ioWrite(0x20, 0x20);
    assert.equal(pic.acknowledge(), 0x23);
    pic.ioWrite(0x20, 0x20);
    // Level-triggered IRQ 5 (ELCR) that goes away before INTA: the chip answers IRQ 7 and sets no ISR bit.
    pic.ioWrite(0x4d0, 0x20);
    pic.setIrq(5, true);
    assert.equal(pic.hasInterrupt(), true);
    pic.setIrq(5, false);
    assert.equal(pic.acknowledge(), 0x27);
    pic.ioWrite(0x20, 0x0b);                      // OCW3: read ISR
    assert.equal(pic.ioRead(0x20), 0, 'spurious IRQ 7 is not in service');
  });

  it('16550A: THRE interrupt on enable, RX data interrupt, IIR/LSR as a driver reads them', () => {
    const u = new Uart16550();
    const levels: boolean[] = [];
    u.onIrq = h => levels.push(h);
    u.ioWrite(1, 0x02);                           // IER: THRE
    assert.equal(u.ioRead(2) & 0x0f, 0x02, 'THRE pending right after enabling it');
    assert.equal(u.ioRead(2) & 0x0f, 0x01, 'reading IIR cleared it');
    u.ioWrite(1, 0x01);                           // IER: RX data
    u.receive(0x41);
    assert.equal(u.ioRead(5) & 0x61, 0x61, 'LSR: data ready, THR empty, transmitter empty');
    assert.equal(u.ioRead(2) & 0x0f, 0x04, 'IIR: received data available');
    assert.equal(u.ioRead(0), 0x41);
    assert.equal(u.ioRead(2) & 0x0f, 0x01);
    assert.deepEqual(levels, [true, false, true, false]);
  });
});
