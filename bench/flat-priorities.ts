/**
 * Bench-only workflow interceptor: every Chime call other than an operator's gets the bulk tier, with no
 * critical-path tiers and no fairness key or weight; and an operator's call waits for a token of the Region's
 * queue, with no operator lane and no budget token. bench/top-of-hour/configurations.ts bundles it into its
 * 'today' configuration, so the tiers, fairness and the lane can be compared with a worker without them in the
 * same run.
 */
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { CHIME_RETRY_POLICY } from '../domain/chime';
import { CALL_PRIORITY, OPERATOR_LANE_SUFFIX as LANE_SUFFIX, SPEND_BUDGET_TOKEN } from '../domain/budget';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      scheduleActivity(input, next) {
        if (input.activityType === SPEND_BUDGET_TOKEN) return Promise.resolve(undefined);
        const queue = input.options.taskQueue;
        if (queue?.endsWith(LANE_SUFFIX)) {
          const { scheduleToStartTimeout: _lane, ...options } = input.options;
          return next({
            ...input,
            options: {
              ...options,
              taskQueue: queue.slice(0, -LANE_SUFFIX.length),
              retry: CHIME_RETRY_POLICY,
            },
          });
        }
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
