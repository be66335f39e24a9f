/**
 * No webinar run is cached between workflow tasks by default, so every task replays the history it is given.
 * Why: sdk-core 0.7.0 (in @temporalio/worker 1.24.0, the newest) answers a "legacy query" (sent to a worker
 * without the run cached, after the sticky worker went silent) by applying the events that no workflow task has
 * processed yet, and keeps that run in its cache. The next workflow task then sends the commands of that stale
 * run: a history that no replay reproduces (seen in the operations chaos trials: a signal applied by a query,
 * then an Update, gave `[TMPRL1100] ... patch marker ... no corresponding change command` and a webinar stuck
 * with its meetings). With no cache there is no stale run to reuse. The cost is a full replay per workflow task
 * (docs/reliability.md, "Queries during restarts"); WORKFLOW_CACHE_SIZE turns the cache back on.
 */
export const DEFAULT_WORKFLOW_CACHE_SIZE = 0;
