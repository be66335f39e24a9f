/**
 * The one home of how the webinar workflows are loaded, by every worker (worker/assembly.ts) and by the replay
 * gate (client/library/replay.ts): their path, the workflow interceptor that runs with them
 * (workflows/stale-run-guard.ts), the bundle, and the workflow cache. Here rather than in worker/ so the
 * client's replay gate needs nothing above client/.
 *
 * The guard is what makes the cache safe: sdk-core 0.7.0 (in @temporalio/worker 1.24.0, the newest) lets a
 * legacy query advance a cached run past the last workflow task, and the next task would send that stale run's
 * commands (docs/reliability.md, "Queries during restarts"). The guard evicts such a run first. WORKFLOW_CACHE_SIZE
 * (default: the SDK's) sets the cache; 0 disables it, at a large cost measured by `npm run bench -- --only
 * workflow-cache` (a full replay per workflow task and per query).
 */
import type { WorkerOptions } from '@temporalio/worker';
import { bundleWorkflowCode, type BundleOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

export const WEBINAR_WORKFLOWS_PATH = require.resolve('../../workflows');
export const WEBINAR_WORKFLOW_INTERCEPTOR_MODULES: readonly string[] = [
  require.resolve('../../workflows/stale-run-guard'),
];

/** For a bundle built in a test run or a benchmark: webpack's report dropped, its errors kept. */
export const ERRORS_ONLY_BUNDLE_LOGGER: NonNullable<BundleOptions['logger']> = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string) => console.error(message),
};

/** The webinar workflows bundled with their interceptor (a prebuilt bundle carries it inside). */
export function bundleWebinarWorkflows(
  options: Omit<BundleOptions, 'workflowsPath'> = {},
): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    ...options,
    workflowsPath: WEBINAR_WORKFLOWS_PATH,
    // The guard always; a benchmark may add its own interceptors after it.
    workflowInterceptorModules: [
      ...WEBINAR_WORKFLOW_INTERCEPTOR_MODULES,
      ...(options.workflowInterceptorModules ?? []),
    ],
  });
}

/** Worker options that load the webinar workflows: the prebuilt bundle, or the source with the interceptor. */
export function webinarWorkflowCode(
  bundle?: WorkflowBundleWithSourceMap,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'interceptors'> {
  return bundle
    ? { workflowBundle: bundle }
    : {
        workflowsPath: WEBINAR_WORKFLOWS_PATH,
        interceptors: { workflowModules: [...WEBINAR_WORKFLOW_INTERCEPTOR_MODULES] },
      };
}
