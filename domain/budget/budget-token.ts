/**
 * The budget token: the activity that pays an operator lane call back (operator-lane.ts). It runs on the
 * Region's queue and calls nothing: being dispatched takes one of the queue's tokens.
 */
import type { ActivityOptions } from '@temporalio/common';
import { CHIME_START_TO_CLOSE } from '../chime';
import { chimeActivityOptions, type ChimeActivityOptionsExtra } from './activity-options';

export interface BudgetActivities {
  spendBudgetToken(): Promise<void>;
}

export const SPEND_BUDGET_TOKEN = 'spendBudgetToken' satisfies keyof BudgetActivities;

/**
 * The token that pays a lane call back: an operator call of the webinar on the Region's queue (its priority and
 * fairness key), retried until it is spent.
 */
export function budgetTokenActivityOptions(
  controlRegion: string | undefined,
  extra: ChimeActivityOptionsExtra = {},
): ActivityOptions {
  const { taskQueue, priority, retry } = chimeActivityOptions('operator', controlRegion, extra);
  return { taskQueue, priority, retry, startToCloseTimeout: CHIME_START_TO_CLOSE };
}
