/**
 * Evicts a run that a query advanced past the last workflow task, before a workflow task can reuse it.
 *
 * sdk-core 0.7.0 (in @temporalio/worker 1.24.0, the newest) answers a "legacy query" (a query task sent to the
 * normal queue when the sticky worker is silent) by applying the events no workflow task has processed yet, and
 * keeps that run in its cache. The next workflow task then reuses it and sends the commands that run produced,
 * in an order no replay reproduces: a timer re-armed under a stale clock, or a signal's consequences recorded
 * ahead of an Update's acceptance (docs/reliability.md, "Queries during restarts").
 *
 * What such a run looks like from inside: an activation that applies new events (jobs other than queries,
 * outside a replay) at a longer history than the activation before it, under the same clock. Every real workflow
 * task brings its own start time, so the clock moves whenever the history does; only events applied outside a
 * workflow task keep the previous task's time (logged on the canary: `hl=3 initializeWorkflow` at T, then
 * `hl=7 fireTimer` at T again, then the legacy query). On that signature the guard fails the activation before
 * the workflow sees the events: sdk-core answers the query with this error and evicts the run, and the next
 * workflow task replays the history from the start, as a clean worker would. Queries and replays pass untouched.
 * The guard issues no command, so it changes no history.
 */
import type { WorkflowInterceptorsFactory, WorkflowInternalsInterceptor } from '@temporalio/workflow';
import { STALE_RUN_RETRY_HINT } from '../domain/errors';

export class StaleRunError extends Error {
  constructor(historyLength: number) {
    super(
      `This worker's copy of the run was advanced by a query past the last workflow task (history length ` +
        `${historyLength}); it is evicted so the next workflow task replays the history. ${STALE_RUN_RETRY_HINT}`,
    );
    this.name = 'StaleRunError';
  }
}

/** One per run (the factory below runs for each workflow instance). */
export class StaleRunGuard implements WorkflowInternalsInterceptor {
  /** History length and clock of the last activation that applied events (a replay's too). */
  private last: { historyLength: number; clock: string } | undefined;

  activate: NonNullable<WorkflowInternalsInterceptor['activate']> = (input, next) => {
    const { activation } = input;
    const jobs = activation.jobs ?? [];
    if (jobs.some((job) => !job.queryWorkflow)) {
      const historyLength = Number(activation.historyLength ?? 0);
      const clock = `${String(activation.timestamp?.seconds ?? '')}.${String(activation.timestamp?.nanos ?? '')}`;
      const last = this.last;
      if (!activation.isReplaying && last && historyLength > last.historyLength && clock === last.clock) {
        throw new StaleRunError(historyLength);
      }
      this.last = { historyLength, clock };
    }
    return next(input);
  };
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ internals: [new StaleRunGuard()] });
