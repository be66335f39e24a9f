/**
 * The rate the service allows a control Region, for every operation and every webinar together: what each
 * Region queue's rate limit defaults to (worker/budget/config.ts) and what the capacity calendar counts against.
 */

/** Meeting API calls per second a control Region allows for all operations together, and its burst. */
export const CONTROL_REGION_CALLS_PER_SECOND = 10;
export const CONTROL_REGION_BURST = 20;

export interface Budget {
  callsPerSecond: number;
  burst: number;
}

export const DEFAULT_BUDGET: Budget = {
  callsPerSecond: CONTROL_REGION_CALLS_PER_SECOND,
  burst: CONTROL_REGION_BURST,
};

/** Calls a control Region admits in `seconds`: the burst, then the rate. */
export function budgetFor(seconds: number, budget: Budget = DEFAULT_BUDGET): number {
  return Math.floor(budget.burst + budget.callsPerSecond * Math.max(0, seconds));
}
