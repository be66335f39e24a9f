/** The activity the occurrence workflow calls: schedules the occurrence's webinar (idempotent by its ID). */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { WebinarSpec } from '../types';

export interface OccurrenceScheduled {
  webinarId: string;
  /** false when the webinar already existed with this input (a retried or repeated action). */
  created: boolean;
}

export interface SeriesActivities {
  scheduleOccurrence(spec: WebinarSpec): Promise<OccurrenceScheduled>;
}

export const SERIES_OCCURRENCE_WORKFLOW_TYPE = 'seriesOccurrenceWorkflow';
export const SCHEDULE_ID_PREFIX = 'series-';
/** Temporal sets it on every workflow a Schedule starts: the action's scheduled time. */
export const SCHEDULED_START_TIME = defineSearchAttributeKey(
  'TemporalScheduledStartTime',
  SearchAttributeType.DATETIME,
);
