/**
 * Occurrences of a series: local wall-clock times computed with Intl in the series' IANA time zone (exact
 * across daylight-saving changes, no dependency), the occurrence's stable webinar ID, and its webinar input.
 * Deterministic, so the occurrence workflow can use it.
 *
 * The Schedule fires `provisionLeadSeconds` before each start (scheduleCalendars shifts the local time back),
 * and the occurrence starts at fire time + lead: the webinar workflow then provisions at once, exactly its lead
 * early, never more than the idle auto-end allows (domain/limits.ts).
 */
import { DEFAULT_PROVISION_LEAD_SECONDS } from '../limits';
import type { WebinarSpec } from '../types';
import { DAYS_OF_WEEK, type DayOfWeek, type SeriesCalendar, type SeriesSpec } from './types';

/** `<seriesId>-YYYY-MM-DD-HHMM` is at most 48 characters (the webinar ID rule) with this bound. */
export const MAX_SERIES_ID_CHARS = 32;

export interface LocalTime {
  date: string;
  hour: number;
  minute: number;
  second: number;
  dayOfWeek: DayOfWeek;
}

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return value.length > 0 && value.length <= 64;
  } catch {
    return false;
  }
}

export function isLocalDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const t = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().startsWith(value);
}

/** The wall-clock time of an instant in a time zone. */
export function localTime(instantMs: number, timeZone: string): LocalTime {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instantMs));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '00';
  const date = `${get('year')}-${get('month')}-${get('day')}`;
  const dayIndex = new Date(`${date}T00:00:00Z`).getUTCDay();
  return {
    date,
    hour: Number(get('hour')),
    minute: Number(get('minute')),
    second: Number(get('second')),
    dayOfWeek: DAYS_OF_WEEK[dayIndex] ?? 'SUNDAY',
  };
}

function leadOf(series: SeriesSpec): number {
  return series.provisionLeadSeconds ?? DEFAULT_PROVISION_LEAD_SECONDS;
}

/** A time suffix only when the series can have more than one occurrence a day (more than one calendar). */
function needsTimeSuffix(series: SeriesSpec): boolean {
  return series.recurrence.calendars.length > 1;
}

/** `<seriesId>-<local date>`, plus `-HHMM` (local start) when the series has more than one calendar. */
export function occurrenceWebinarId(series: SeriesSpec, startMs: number): string {
  const local = localTime(startMs, series.recurrence.timeZone);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const suffix = needsTimeSuffix(series) ? `-${pad(local.hour)}${pad(local.minute)}` : '';
  return `${series.seriesId}-${local.date}${suffix}`;
}

/** The occurrence's start from the Schedule's fire time (its scheduled time, not when it actually ran). */
export function occurrenceStart(series: SeriesSpec, scheduledMs: number): number {
  return scheduledMs + leadOf(series) * 1000;
}

export type OccurrenceDecision = { kind: 'start'; spec: WebinarSpec } | { kind: 'skip'; reason: string };

/** What an occurrence fired at `scheduledMs` does: its webinar input, or a skip (an excluded or past end date). */
export function occurrenceFor(series: SeriesSpec, scheduledMs: number): OccurrenceDecision {
  const start = occurrenceStart(series, scheduledMs);
  const local = localTime(start, series.recurrence.timeZone);
  if (series.recurrence.exclusions?.includes(local.date))
    return { kind: 'skip', reason: `${local.date} is excluded` };
  const endDate = series.recurrence.endDate;
  if (endDate !== undefined && local.date > endDate)
    return { kind: 'skip', reason: `${local.date} is after the series' end date ${endDate}` };
  return {
    kind: 'start',
    spec: {
      ...series.template,
      webinarId: occurrenceWebinarId(series, start),
      startAt: new Date(start).toISOString(),
      endAt: new Date(start + series.durationMinutes * 60_000).toISOString(),
      provisionLeadSeconds: leadOf(series),
    },
  };
}

/** A Schedule calendar (local, in the series' zone): the start's time shifted back by the lead. */
export interface FireCalendar {
  dayOfWeek: DayOfWeek[];
  hour: number;
  minute: number;
  second: number;
}

/** The Schedule's calendars: each start time less the lead (at most 240 s), the day moved back past midnight. */
export function scheduleCalendars(series: SeriesSpec): FireCalendar[] {
  const lead = leadOf(series);
  return series.recurrence.calendars.map((c: SeriesCalendar) => {
    let seconds = c.hour * 3600 + c.minute * 60 - lead;
    let days = c.daysOfWeek;
    if (seconds < 0) {
      seconds += 86_400;
      days = c.daysOfWeek.map((d) => DAYS_OF_WEEK[(DAYS_OF_WEEK.indexOf(d) + 6) % 7] ?? d);
    }
    return {
      dayOfWeek: [...days],
      hour: Math.floor(seconds / 3600),
      minute: Math.floor((seconds % 3600) / 60),
      second: seconds % 60,
    };
  });
}
