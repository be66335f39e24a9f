import { TokenBucket } from '../clock';
import type { EmulatorConfig } from '../config';
import { ApiError } from '../errors';

/**
 * Per control Region: one token bucket per operation and one for all calls together; a call needs a token in
 * both, and a refused call takes none. Real (monotonic) time, not the emulated clock.
 */
export class RateLimiter {
  private buckets = new Map<string, TokenBucket>();

  constructor(private readonly config: () => EmulatorConfig) {}

  clear(): void {
    this.buckets.clear();
  }

  /** Takes a token for `op` in `region`, or throws ThrottlingException. */
  take(region: string, op: string): void {
    const limits = this.config().rateLimits;
    if (!limits.enabled) return;
    const now = performance.now();
    const opLimit = limits.operations[op] ?? limits.perOperation;
    const opBucket = this.bucket(`${region}\n${op}`, opLimit.ratePerSecond, opLimit.burst, now);
    const all = this.bucket(`${region}\n*`, limits.account.ratePerSecond, limits.account.burst, now);
    const opOk = opBucket.available(now);
    const allOk = all.available(now);
    if (!opOk || !allOk) {
      throw new ApiError(
        'ThrottlingException',
        `Rate exceeded for ${opOk ? 'the account' : op} in ${region}`,
      );
    }
    opBucket.take();
    all.take();
  }

  private bucket(key: string, rate: number, burst: number, now: number): TokenBucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = new TokenBucket(rate, burst, now);
      this.buckets.set(key, b);
    }
    return b;
  }
}
