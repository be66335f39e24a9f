/**
 * The short workflow a series' Schedule starts for each occurrence: from its scheduled time (not the time it
 * ran, so a late action still names the right occurrence) it computes the occurrence's webinar input and
 * schedules it through the client's `schedule` path, or skips an excluded date.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import {
  SCHEDULED_START_TIME,
  type OccurrenceScheduled,
  type SeriesActivities,
} from '../domain/series/activities';
import { occurrenceFor } from '../domain/series/occurrence';
import type { SeriesSpec } from '../domain/series/types';

const { scheduleOccurrence } = proxyActivities<SeriesActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
});

export type OccurrenceOutcome =
  ({ kind: 'started' } & OccurrenceScheduled) | { kind: 'skipped'; reason: string };

export async function seriesOccurrenceWorkflow(series: SeriesSpec): Promise<OccurrenceOutcome> {
  const info = workflowInfo();
  const scheduled = info.typedSearchAttributes.get(SCHEDULED_START_TIME) ?? info.startTime;
  const decision = occurrenceFor(series, scheduled.getTime());
  if (decision.kind === 'skip') return { kind: 'skipped', reason: decision.reason };
  return { kind: 'started', ...(await scheduleOccurrence(decision.spec)) };
}
