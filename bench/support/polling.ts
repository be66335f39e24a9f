/**
 * Waiting in the benchmarks: a pause, and reads of a webinar's live status (the `status` query) that tolerate a
 * busy worker.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { WebinarStatus } from '../../domain/types';
import { statusQuery } from '../../workflows/definitions';
import { waitForStatus as pollStatus } from '../../test/support/webinar-stack';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The status, or undefined while a workflow task is failing (an overloaded worker's task timed out and is
 * retried): the next poll asks again.
 */
export async function statusOf(handle: WorkflowHandle): Promise<WebinarStatus | undefined> {
  return handle.query(statusQuery).catch(() => undefined);
}

/** The tests' status poller, with the benchmarks' longer default timeout. */
export function waitForStatus(
  handle: WorkflowHandle,
  predicate: (s: WebinarStatus) => boolean,
  timeoutMs = 120_000,
  pollMs = 100,
): Promise<WebinarStatus> {
  return pollStatus(handle, predicate, timeoutMs, pollMs);
}
