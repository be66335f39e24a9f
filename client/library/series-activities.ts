/**
 * The series activity, in the client layer because it schedules through WebinarClient.schedule: the same path
 * as any webinar (validation, the capacity calendar's check and policy), idempotent for the same input, so a
 * retried or repeated Schedule action creates no second webinar.
 */
import type { Client } from '@temporalio/client';
import type { SeriesActivities } from '../../domain/series/activities';
import { WebinarConflictError } from './errors';
import { WebinarClient, type WebinarClientOptions } from './webinar-client';

export function createSeriesActivities(client: Client, options: WebinarClientOptions = {}): SeriesActivities {
  const webinars = new WebinarClient(client, options);
  return {
    async scheduleOccurrence(spec) {
      try {
        const result = await webinars.schedule(spec);
        return { webinarId: result.webinarId, created: result.created };
      } catch (err) {
        // A second action on the same local date (a manual trigger) names the same occurrence: it exists.
        if (err instanceof WebinarConflictError) return { webinarId: spec.webinarId, created: false };
        throw err;
      }
    },
  };
}
