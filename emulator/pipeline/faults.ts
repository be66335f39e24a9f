/**
 * Seeded fault injection. One number per call, drawn from a mulberry32 PRNG, picks at most one fault among
 * disjoint ranges in FAULT_RATES order: [0, serviceFailureRate) → 500, then 503, then the after-the-effect
 * faults (lost response, 500 after commit, connection reset). Same seed and same call sequence, same faults.
 */
import { DEFAULT_LOST_RESPONSE_HOLD_MS, mulberry32, type EmulatorConfig, type FaultSpec } from '../config';
import { ApiError } from '../errors';

/** How an answer is spoilt after the call took effect. */
export type AfterCommitFault =
  { kind: 'lostResponse'; holdMs: number } | { kind: 'failureAfterCommit' } | { kind: 'resetAfterCommit' };

export interface FaultDraw {
  latencyMs: number;
  /** Fails the call before it takes effect. */
  before?: ApiError;
  /** Applies to the answer of a call that succeeded. */
  after?: AfterCommitFault;
}

export interface FaultCounts {
  beforeCommit: { serviceFailure: number; serviceUnavailable: number };
  /** Calls that took effect and whose answer was then spoilt. */
  afterCommit: { lostResponse: number; failure: number; connectionReset: number };
}

function emptyCounts(): FaultCounts {
  return {
    beforeCommit: { serviceFailure: 0, serviceUnavailable: 0 },
    afterCommit: { lostResponse: 0, failure: 0, connectionReset: 0 },
  };
}

export class FaultInjector {
  private random: () => number;
  private counts = emptyCounts();

  constructor(private readonly config: () => EmulatorConfig) {
    this.random = mulberry32(config().faults.seed);
  }

  reseed(): void {
    this.random = mulberry32(this.config().faults.seed);
  }

  reset(): void {
    this.reseed();
    this.counts = emptyCounts();
  }

  draw(op: string): FaultDraw {
    const ops = this.config().faults.operations;
    const star = ops['*'];
    const own = ops[op];
    if (!star && !own) return { latencyMs: 0 };
    const spec: Partial<FaultSpec> = { ...star, ...own };
    const latencyMs = spec.latencyMs ?? 0;
    const rates = [
      spec.serviceFailureRate ?? 0,
      spec.serviceUnavailableRate ?? 0,
      spec.lostResponseRate ?? 0,
      spec.failureAfterCommitRate ?? 0,
      spec.resetAfterCommitRate ?? 0,
    ];
    if (!rates.some((r) => r > 0)) return { latencyMs };
    const r = this.random();
    let edge = 0;
    const picked = rates.findIndex((rate) => r < (edge += rate));
    switch (picked) {
      case 0:
        this.counts.beforeCommit.serviceFailure++;
        return { latencyMs, before: new ApiError('ServiceFailureException', 'Injected service failure') };
      case 1:
        this.counts.beforeCommit.serviceUnavailable++;
        return {
          latencyMs,
          before: new ApiError('ServiceUnavailableException', 'Injected service unavailability', {
            retryAfterSeconds: spec.retryAfterSeconds ?? 1,
          }),
        };
      case 2:
        return {
          latencyMs,
          after: { kind: 'lostResponse', holdMs: spec.lostResponseHoldMs ?? DEFAULT_LOST_RESPONSE_HOLD_MS },
        };
      case 3:
        return { latencyMs, after: { kind: 'failureAfterCommit' } };
      case 4:
        return { latencyMs, after: { kind: 'resetAfterCommit' } };
      default:
        return { latencyMs };
    }
  }

  /** Counted when applied: an after-commit fault drawn for a call that failed anyway is void. */
  applied(fault: AfterCommitFault): void {
    if (fault.kind === 'lostResponse') this.counts.afterCommit.lostResponse++;
    else if (fault.kind === 'failureAfterCommit') this.counts.afterCommit.failure++;
    else this.counts.afterCommit.connectionReset++;
  }

  totals(): FaultCounts {
    return structuredClone(this.counts);
  }
}
