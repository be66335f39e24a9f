/**
 * The operator lane: an operator's Chime call does not wait for a token of its control Region's queue; it
 * borrows one from the service's burst and pays it back at once.
 *
 * Why: during a storm the Region's queue (`chime.<region>`) has a backlog, and its server-side rate limit hands
 * out a token every 1/rate seconds (100 ms at 10 calls/s). Priority puts an operator's call first, but it still
 * waits for the next token: up to 100 ms of a 150 ms goal. Reserving part of the budget for operators would idle
 * it all day; this borrows instead.
 *
 * How (each operator call, workflows/operator-calls.ts):
 * - its first attempt runs on the lane queue (`chime.<region>.operator`, queues.ts), which has no backlog;
 * - in the same workflow task a budget token (budget-token.ts, a task that calls nothing) is scheduled on the
 *   Region's queue at operator priority. It takes the next token there, so bulk calls get one fewer. Over any
 *   window longer than a token interval the Region sees no more calls than its budget;
 * - a retry goes to the Region's queue like any other operator call and waits for its token: only first
 *   attempts borrow.
 *
 * Why the service's burst covers the loan: the queue's limiter allows a burst of about one second's rate, while
 * Chime allows two (rates.ts), so while the queue runs flat out Chime's bucket keeps about one second's rate
 * spare. A borrowed token is out until its budget token is dispatched, at operator priority: the next token of
 * the queue. The lane's own limit (OPERATOR_LANE_SHARE of the budget, with the same one-second burst) bounds the
 * tokens out at once to half a second's rate: inside the spare even in a storm's first second, when both
 * limiters burst.
 */
import type { ActivityOptions } from '@temporalio/common';
import { chimeActivityOptions, type ChimeActivityOptionsExtra } from './activity-options';
import { operatorLaneTaskQueue } from './queues';

/**
 * The lane's rate limit as a share of its Region queue's budget. At 1, a storm's first second could see both
 * limiters' bursts at once, the whole of Chime's; at 0.5 a borrowed token is always inside the spare, and an
 * operator sending more than 5 calls/s is paced by the lane.
 */
export const OPERATOR_LANE_SHARE = 0.5;

/** A lane call not started in this long (no worker polls the lane) goes to the Region's queue instead. */
export const OPERATOR_LANE_SCHEDULE_TO_START = '2s';

/** A lane call: one attempt (a retry goes to the Region's queue), and a short wait for a worker. */
export function operatorLaneActivityOptions(
  controlRegion: string | undefined,
  extra: ChimeActivityOptionsExtra = {},
): ActivityOptions {
  const options = chimeActivityOptions('operator', controlRegion, extra);
  return {
    ...options,
    taskQueue: operatorLaneTaskQueue(controlRegion),
    scheduleToStartTimeout: OPERATOR_LANE_SCHEDULE_TO_START,
    retry: { ...options.retry, maximumAttempts: 1 },
  };
}
