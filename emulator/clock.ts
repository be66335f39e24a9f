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

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error('clock can only be advanced by a finite ms >= 0');
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
