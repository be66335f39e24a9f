/**
 * The activity that pays an operator lane call back (domain/operator-lane.ts). It runs on a Region's queue and
 * calls nothing: being dispatched is the point, since that took one of the queue's tokens.
 */
import type { BudgetActivities } from '../domain/operator-lane';

export function createBudgetActivities(): BudgetActivities {
  return {
    async spendBudgetToken(): Promise<void> {
      return undefined;
    },
  };
}
