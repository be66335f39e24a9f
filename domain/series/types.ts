/**
 * A webinar series: a template (a webinar input without its ID and times), a duration, a provisioning lead and
 * a recurrence in an IANA time zone. Each occurrence is an ordinary webinar (docs/series.md). Pure types.
 */
import type { WebinarSpec } from '../types';

export const DAYS_OF_WEEK = [
  'SUNDAY',
  'MONDAY',
  'TUESDAY',
  'WEDNESDAY',
  'THURSDAY',
  'FRIDAY',
  'SATURDAY',
] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

/** One local wall-clock time on some days of the week, in the recurrence's time zone. */
export interface SeriesCalendar {
  daysOfWeek: DayOfWeek[];
  hour: number;
  minute: number;
}

export interface SeriesRecurrence {
  calendars: SeriesCalendar[];
  /** An IANA time zone, e.g. Europe/Berlin. */
  timeZone: string;
  /** The last local date (YYYY-MM-DD) an occurrence may start on. */
  endDate?: string;
  /** How many occurrences the series has at most. */
  count?: number;
  /** Local dates (YYYY-MM-DD) with no occurrence. */
  exclusions?: string[];
}

/** Everything of a webinar input but its ID, its absolute times and its lead (the series holds those). */
export type SeriesTemplate = Omit<WebinarSpec, 'webinarId' | 'startAt' | 'endAt' | 'provisionLeadSeconds'>;

export interface SeriesSpec {
  seriesId: string;
  template: SeriesTemplate;
  durationMinutes: number;
  provisionLeadSeconds?: number;
  recurrence: SeriesRecurrence;
}
