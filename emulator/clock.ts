/** Largest single advance: a year is more than any auto-end deadline (24 h) needs. */
export const MAX_ADVANCE_MS = 366 * 24 * 3_600_000;
/** Date's own limit: past it every ISO timestamp (state, clock/advance) would throw. */
const LATEST = 8.64e15;

/**
 * The emulated clock: starts at the real time, runs `speed` times faster than real time and can be advanced
 * explicitly. It never goes backwards.
 */
export class EmulatedClock {
  private anchorReal: number;
  private anchorEmulated: number;

  constructor(
    private speed = 1,
    private readonly realNow: () => number = () => Date.now(),
  ) {
    this.anchorReal = realNow();
    this.anchorEmulated = this.anchorReal;
  }

  now(): number {
    return this.anchorEmulated + (this.realNow() - this.anchorReal) * this.speed;
  }

  setSpeed(speed: number): void {
    if (speed === this.speed) return;
    this.anchorEmulated = this.now();
    this.anchorReal = this.realNow();
    this.speed = speed;
  }

  /** Throws a RangeError naming `ms` unless 0 <= ms <= MAX_ADVANCE_MS and the result stays a valid Date. */
  advance(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_ADVANCE_MS) {
      throw new RangeError(
        `ms must be a finite number of milliseconds in [0, ${MAX_ADVANCE_MS}], got ${String(ms)}`,
      );
    }
    if (this.now() + ms > LATEST) throw new RangeError(`ms would move the clock past the latest valid date`);
    this.anchorEmulated += ms;
  }
}

/** A token bucket on real (monotonic) time. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Refills and tells whether one token is there, without taking it. */
  available(now: number): boolean {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
      this.last = now;
    }
    return this.tokens >= 1;
  }

  take(): void {
    this.tokens -= 1;
  }
}
