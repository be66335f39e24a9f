/**
 * Bench-only workflow interceptor: every Chime call other than an operator's gets the bulk tier, as before the
 * critical-path tiers (#15), with no fairness key or weight. bench/top-of-hour.ts bundles it into its 'today'
 * configuration, so the tiers can be compared with the behaviour before them in the same run.
 */
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { CALL_PRIORITY } from '../domain/chime';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      scheduleActivity(input, next) {
        const key = input.options.priority?.priorityKey;
        if (key === undefined || key === CALL_PRIORITY.operator) return next(input);
        return next({
          ...input,
          options: { ...input.options, priority: { priorityKey: CALL_PRIORITY.bulk } },
        });
      },
    },
  ],
});
