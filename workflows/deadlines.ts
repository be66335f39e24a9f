/**
 * Waiting for deadlines so that the timers decide, never a clock read.
 *
 * Why: the workflow clock (`Date.now()`) is the start time of the workflow task being processed. When a worker
 * without the run in its cache answers a query (a "legacy query" task), the SDK (sdk-core 0.7.0 in
 * @temporalio/worker 1.24.0) applies the history's trailing events, such as a TIMER_FIRED that no workflow task has
 * processed yet, under the clock of the LAST workflow task, and keeps that run for the next real workflow task.
 * Code that re-reads the clock after a timer fired then sees a time before its own deadline and re-arms the timer;
 * a replay, which sees the right clock, does not: nondeterminism (docs/reliability.md, "Queries during restarts").
 *
 * So a deadline has come exactly when its timer fired, and "which came first" is always the order of events in
 * history. The clock only sets timer durations, and a duration is not part of what replay compares.
 */
import { CancellationScope, condition, isCancellation, sleep } from '@temporalio/workflow';

/** Timers never shorter than this: a deadline already past still waits for a (1 ms) timer to fire. */
const SHORTEST_TIMER_MS = 1;

function durationUntil(at: number): number {
  return Math.max(SHORTEST_TIMER_MS, at - Date.now());
}

/**
 * Waits until `at` or until `interrupted()` holds. Returns true when the timer fired (the deadline has come),
 * false when interrupted first. The caller checks `interrupted()` before calling, so no timer is started for
 * nothing.
 */
export async function deadlineFired(at: number, interrupted: () => boolean): Promise<boolean> {
  return !(await condition(interrupted, durationUntil(at)));
}

/** How long before a deadline its wait sets its last timer (deadlineFiredOnTime). */
export const FINAL_APPROACH_MS = 5_000;

/**
 * deadlineFired in two timers: the first to FINAL_APPROACH_MS before `at` (at once when that has passed), the
 * second, set by the light workflow task the first one woke, to `at`. Why: a timer fires its duration after
 * the workflow task that started it completed, not after the clock its duration was computed from. The task
 * that starts the provisioning timer, when a webinar is scheduled, can take most of a second when many are
 * scheduled together (one thread runs every webinar's tasks), and each webinar would begin provisioning that
 * late (docs/bench.md, the top of the hour). Both timers are always started, so no clock read decides a command.
 */
export async function deadlineFiredOnTime(at: number, interrupted: () => boolean): Promise<boolean> {
  if (!(await deadlineFired(at - FINAL_APPROACH_MS, interrupted))) return false;
  return deadlineFired(at, interrupted);
}

/** How far ahead `stillAhead` must see a time to call it ahead: a tie between its two timers is never close. */
export const AHEAD_PROBE_MS = 1_000;

/**
 * Whether `at` is more than AHEAD_PROBE_MS ahead: a timer to `at` races a probe timer of AHEAD_PROBE_MS, and
 * history records which fired first, so the answer replays the same whatever the clock said when both started.
 * Resolves as soon as either fires: at once (1 ms) when `at` has passed, after the probe when it is ahead.
 */
export async function stillAhead(at: number): Promise<boolean> {
  const scope = new CancellationScope();
  try {
    return await scope.run(() =>
      Promise.race([sleep(AHEAD_PROBE_MS).then(() => true), sleep(durationUntil(at)).then(() => false)]),
    );
  } finally {
    scope.cancel();
  }
}

/**
 * A periodic job that runs beside a wait: every `intervalMs` after `firstAt`, `job` runs to its end (a deadline
 * never cuts a job in half). `stop()` cancels the pending timer and resolves once any running job has finished;
 * it rethrows the job's error, if any. `failed()` tells the waiter to wake up and stop.
 */
export interface Periodic {
  stop(): Promise<void>;
  failed(): boolean;
}

export function startPeriodic(nextAt: () => number, job: () => Promise<void>): Periodic {
  const scope = new CancellationScope();
  let error: unknown;
  let hasFailed = false;
  const loop = scope
    .run(async () => {
      for (;;) {
        await sleep(durationUntil(nextAt()));
        await CancellationScope.nonCancellable(job);
      }
    })
    .catch((err: unknown) => {
      if (isCancellation(err) && scope.consideredCancelled) return;
      hasFailed = true;
      error = err;
    });
  return {
    failed: () => hasFailed,
    async stop() {
      scope.cancel();
      await loop;
      if (hasFailed) throw error;
    },
  };
}
