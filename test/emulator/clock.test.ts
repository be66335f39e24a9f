import { EmulatedClock, MAX_ADVANCE_MS, TokenBucket } from '../../emulator/clock';

describe('TokenBucket on an injected clock', () => {
  it('starts full, refuses when empty, refills at the rate up to the burst', () => {
    const bucket = new TokenBucket(2, 3, 0);
    for (let i = 0; i < 3; i++) {
      expect(bucket.available(0)).toBe(true);
      bucket.take();
    }
    expect(bucket.available(0)).toBe(false);
    expect(bucket.available(499)).toBe(false);
    expect(bucket.available(500)).toBe(true);
    bucket.take();
    expect(bucket.available(10_000)).toBe(true);
    for (let i = 0; i < 3; i++) bucket.take();
    expect(bucket.available(10_000)).toBe(false);
  });
});

describe('EmulatedClock.advance is bounded', () => {
  it.each([
    ['1e300', 1e300],
    ['Infinity', Infinity],
    ['NaN', NaN],
    ['negative', -1],
    ['a year and a day', MAX_ADVANCE_MS + 1],
  ])('refuses %s with a RangeError naming ms, and keeps the time', (_, ms) => {
    let real = 1_000;
    const clock = new EmulatedClock(1, () => real);
    expect(() => clock.advance(ms)).toThrow(
      /^ms must be a finite number of milliseconds in \[0, \d+\], got /,
    );
    real += 5;
    expect(clock.now()).toBe(1_005);
  });

  it('accepts up to MAX_ADVANCE_MS, and never past the latest valid Date', () => {
    const clock = new EmulatedClock(1, () => 0);
    clock.advance(MAX_ADVANCE_MS);
    expect(clock.now()).toBe(MAX_ADVANCE_MS);
    const late = new EmulatedClock(1, () => 8.64e15 - 1_000);
    expect(() => late.advance(2_000)).toThrow(/past the latest valid date/);
    expect(() => new Date(late.now()).toISOString()).not.toThrow();
  });
});
