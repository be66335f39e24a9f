/**
 * The budget token's activity, which pays an operator lane call back (domain/budget/budget-token.ts). It runs on
 * a Region's queue and calls nothing: being dispatched is the point, since that took one of the queue's tokens.
 */
import type { BudgetActivities } from '../domain/budget';

export function createBudgetActivities(): BudgetActivities {
  return {
    async spendBudgetToken(): Promise<void> {
      return undefined;
    },
  };
}
