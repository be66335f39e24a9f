/**
 * An operator's Chime calls through the operator lane (domain/budget/operator-lane.ts): the first attempt on the lane,
 * paid back by a budget token scheduled in the same workflow task; a retry on the Region's queue, paid as it
 * goes. A call the service refused for good (a non-retryable failure) or that was cancelled is not retried.
 */
import { ActivityFailure, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/common';
import type { ChimeActivities } from '../domain/chime';
import type { BudgetActivities } from '../domain/budget';

export interface OperatorCallOptions {
  /** The lane call: operator priority on the lane queue, one attempt (operatorLaneActivityOptions). */
  lane: ActivityOptions;
  /** The retry: the operator class on the Region's queue (chimeActivityOptions('operator', …)). */
  queued: ActivityOptions;
  /** The budget token that pays the lane call back (budgetTokenActivityOptions). */
  token: ActivityOptions;
}

/** A first attempt that did not reach a verdict the retry would repeat: a retry may still succeed. */
function retryable(err: unknown): boolean {
  if (isCancellation(err)) return false;
  return !(err instanceof ActivityFailure && err.retryState === 'NON_RETRYABLE_FAILURE');
}

type Forwarded = Record<keyof ChimeActivities, (input: unknown) => Promise<unknown>>;

export function operatorCalls(options: OperatorCallOptions): ChimeActivities {
  const lane = proxyActivities<ChimeActivities>(options.lane);
  const queued = proxyActivities<ChimeActivities>(options.queued);
  const budget = proxyActivities<BudgetActivities>(options.token);
  const call = async (operation: keyof ChimeActivities, input: unknown): Promise<unknown> => {
    // Scheduled before the lane call, in the same task; not cancelled with the action: the loan is taken.
    void CancellationScope.nonCancellable(() => budget.spendBudgetToken()).catch(() => undefined);
    // Forwards whatever the caller named: the operations themselves are named where `w.chime.operator` is called.
    const invoke = (calls: ChimeActivities) => (calls as unknown as Forwarded)[operation](input);
    try {
      return await invoke(lane);
    } catch (err) {
      if (!retryable(err)) throw err;
      return invoke(queued);
    }
  };
  return new Proxy({} as ChimeActivities, {
    get: (_target, operation) => (input: unknown) => call(operation as keyof ChimeActivities, input),
  });
}
