/**
 * A run's history, read a page of events at a time. One page is as many events as the server gives (up to a
 * thousand), and the client refuses a message over 4 MiB: a full-size webinar's run, with its registration
 * results and its meeting-event Signals, is larger than that in one page.
 */
import type { WorkflowClient } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';

/** Events per page: far under 4 MiB even when every event carries a large payload. */
export const HISTORY_PAGE_EVENTS = 50;

export async function fetchRunHistory(
  client: WorkflowClient,
  workflowId: string,
  runId?: string,
): Promise<History> {
  const events: temporal.api.history.v1.IHistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId, ...(runId ? { runId } : {}) },
      maximumPageSize: HISTORY_PAGE_EVENTS,
      ...(nextPageToken ? { nextPageToken } : {}),
    });
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return temporal.api.history.v1.History.create({ events });
}
