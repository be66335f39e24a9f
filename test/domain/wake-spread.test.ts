/**
 * The wake-up spread (domain/wake-spread.ts): each webinar's offset is fixed by its ID, inside the spread, and
 * webinars scheduled together (IDs that differ in a digit, as a scheduling system names them) land apart.
 */
import { WAKE_SPREAD_MS, wakeOffsetMs } from '../../domain/wake-spread';

describe('wakeOffsetMs', () => {
  const ids = Array.from({ length: 16 }, (_, i) => `k${i}-top-of-hour-2026-12-02`);

  it('gives each ID the same offset every time, inside [0, WAKE_SPREAD_MS)', () => {
    for (const id of ids) {
      expect(wakeOffsetMs(id)).toBe(wakeOffsetMs(id));
      expect(wakeOffsetMs(id)).toBeGreaterThanOrEqual(0);
      expect(wakeOffsetMs(id)).toBeLessThan(WAKE_SPREAD_MS);
    }
  });

  it('spreads 16 webinars named alike over most of the second', () => {
    const offsets = ids.map(wakeOffsetMs).sort((a, b) => a - b);
    expect(new Set(offsets).size).toBeGreaterThanOrEqual(14);
    expect((offsets.at(-1) ?? 0) - (offsets[0] ?? 0)).toBeGreaterThan(WAKE_SPREAD_MS / 2);
  });
});
