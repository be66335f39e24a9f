/** The worker configurations the top-of-hour benchmark compares, round by round, in the same run. */
import type { BenchStackOptions } from '../support/stack';

/**
 * The worker configurations compared in the same run: 'today' is the worker with the call tiers flattened
 * (every call but an operator's in the bulk tier, no fairness key: bench/flat-priorities.ts, a bench-only
 * workflow interceptor); 'priority' is the production worker. The presenters' own step, the 1-call
 * teardown and the placement rule are the same in both (they are patched branches every new run takes).
 */
export interface TopOfHourConfiguration {
  name: string;
  description: string;
  stack: BenchStackOptions;
  /** True when this configuration differs from the production worker. */
  changesBehaviour: boolean;
}

export const CONFIGURATIONS: TopOfHourConfiguration[] = [
  {
    name: 'today',
    description: "flat: every call but an operator's in one tier, no fairness key, a server without fairness",
    stack: {
      workflowInterceptorModules: [require.resolve('../flat-priorities')],
      dynamicConfig: { 'matching.enableFairness': false },
    },
    changesBehaviour: true,
  },
  {
    name: 'priority',
    description:
      'the production worker and server: operator 1, critical path 2, viewers 3, replicas 4, teardown 5; ' +
      'fairness on, a key per webinar weighted by how soon it starts',
    stack: {},
    changesBehaviour: false,
  },
];
