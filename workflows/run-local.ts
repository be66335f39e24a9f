/**
 * What one run keeps for itself and never carries across continue-as-new: wake-up counters, caches and the
 * handles of work in flight. A new run starts from `newRunLocal()`; everything it needs from the last run is in
 * the state (state.ts).
 */
import type { CancellationScope } from '@temporalio/workflow';
import type { planSeats } from '../domain/seats';

/** What the status memo's publisher remembers between upserts (status-memo.ts). */
export interface MemoPublisher {
  last?: string;
  at: number;
  /** The last lastError scrubbed, and its scrubbed form (scrubbing scans the roster). */
  scrubbed?: { from: string; to: string };
}

export interface RunLocal {
  /** Bumped by every message that can change what the lifecycle waits for (waits.ts). */
  wakes: number;
  /** Bumped by every operator action as it starts; a suggested continue-as-new waits for them to pause. */
  operatorActions: number;
  /** Whether this run's hand-over waits for operators (continuation.ts); runs recorded before it do not. */
  handOverWaitsForOperators: boolean;
  /** Bumped by an operator's retry; a failed teardown waits for it. */
  teardownRetries: number;
  /** Signal rejections' reasons as the caller gave them, for the status query only. */
  readonly plainReasons: WeakMap<object, string>;
  /** The seat plan computed ahead of provisioning, for the roster membership it was computed from. */
  plannedAhead?: { membership: number; planned: ReturnType<typeof planSeats> };
  readonly memo: MemoPublisher;
  /** The primary's meeting ID when a meeting event said the service ended it (meeting-events.ts). */
  primaryEndedByService?: string;
  /** The scope of the generation being provisioned; ending the webinar cancels it so the teardown starts at once. */
  provisioning?: CancellationScope;
}

export function newRunLocal(): RunLocal {
  return {
    wakes: 0,
    operatorActions: 0,
    handOverWaitsForOperators: false,
    teardownRetries: 0,
    plainReasons: new WeakMap(),
    memo: { at: Number.NEGATIVE_INFINITY },
  };
}
