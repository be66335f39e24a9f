/**
 * Series on Temporal Schedules (docs/series.md): one Schedule `series-<seriesId>` per series, whose action
 * starts `seriesOccurrenceWorkflow` with the series spec; each occurrence becomes an ordinary webinar.
 */
import type { Client, ScheduleDescription, ScheduleHandle, ScheduleUpdateOptions } from '@temporalio/client';
import { SCHEDULE_ID_PREFIX, SERIES_OCCURRENCE_WORKFLOW_TYPE } from '../../domain/series/activities';
import { isLocalDate, scheduleCalendars } from '../../domain/series/occurrence';
import type { SeriesSpec } from '../../domain/series/types';
import { validateSeriesSpec } from '../../domain/series/validation';
import { DEFAULT_WEBINAR_TASK_QUEUE } from '../../workflows/definitions';
import { WebinarInputError } from './errors';

export interface SeriesCreateOptions {
  /** No occurrence before this instant (default: now). */
  startAt?: Date;
}

export interface SeriesCreated {
  seriesId: string;
  scheduleId: string;
  /** The next fire times (each an occurrence's start less its lead). */
  nextActionTimes: Date[];
}

export function seriesScheduleId(seriesId: string): string {
  return `${SCHEDULE_ID_PREFIX}${seriesId}`;
}

export class SeriesClient {
  constructor(
    readonly client: Client,
    readonly taskQueue: string = DEFAULT_WEBINAR_TASK_QUEUE,
  ) {}

  handle(seriesId: string): ScheduleHandle {
    return this.client.schedule.getHandle(seriesScheduleId(seriesId));
  }

  /** Validates the series (WebinarInputError naming every bad field, nothing created) and creates its Schedule. */
  async create(input: SeriesSpec, options: SeriesCreateOptions = {}): Promise<SeriesCreated> {
    const validated = validateSeriesSpec(input);
    if (!validated.ok) throw new WebinarInputError(validated.errors, 'series input');
    const series = validated.value;
    const lead = series.provisionLeadSeconds ?? 0;
    const handle = await this.client.schedule.create({
      scheduleId: seriesScheduleId(series.seriesId),
      spec: {
        calendars: scheduleCalendars(series),
        timezone: series.recurrence.timeZone,
        ...(options.startAt ? { startAt: options.startAt } : {}),
      },
      action: {
        type: 'startWorkflow',
        workflowType: SERIES_OCCURRENCE_WORKFLOW_TYPE,
        args: [series],
        taskQueue: this.taskQueue,
        workflowId: `series-occurrence-${series.seriesId}`,
      },
      policies: {
        // Each action only starts a webinar and ends in seconds; occurrences are independent webinars.
        overlap: 'ALLOW_ALL',
        // Started late only within the lead: past its start an occurrence is dropped, not started late.
        catchupWindow: `${Math.max(10, lead)} seconds`,
      },
      ...(series.recurrence.count !== undefined
        ? { state: { remainingActions: series.recurrence.count } }
        : {}),
    });
    const described = await handle.describe();
    return {
      seriesId: series.seriesId,
      scheduleId: handle.scheduleId,
      nextActionTimes: described.info.nextActionTimes,
    };
  }

  /** The series spec the Schedule's action carries now (what future occurrences get). */
  async spec(seriesId: string): Promise<SeriesSpec> {
    const described = await this.handle(seriesId).describe();
    return seriesOf(described);
  }

  /** Skips the occurrence on a local date (an exclusion in the action's spec); other occurrences are unchanged. */
  async skip(seriesId: string, localDate: string): Promise<void> {
    if (!isLocalDate(localDate))
      throw new WebinarInputError(
        [{ field: 'localDate', message: 'must be a local date YYYY-MM-DD' }],
        'skip',
      );
    await this.handle(seriesId).update((previous) => {
      const series = seriesOf(previous);
      const exclusions = [...new Set([...(series.recurrence.exclusions ?? []), localDate])];
      return withSeries(previous, { ...series, recurrence: { ...series.recurrence, exclusions } });
    });
  }

  /**
   * Replaces the series' spec for future occurrences (template, attendees, times): validated first; occurrences
   * already started are ordinary webinars and keep their input.
   */
  async update(seriesId: string, input: SeriesSpec): Promise<void> {
    const validated = validateSeriesSpec(input);
    if (!validated.ok) throw new WebinarInputError(validated.errors, 'series input');
    if (validated.value.seriesId !== seriesId)
      throw new WebinarInputError(
        [{ field: 'seriesId', message: 'must stay the series being updated' }],
        'series input',
      );
    const series = validated.value;
    await this.handle(seriesId).update((previous) => ({
      ...withSeries(previous, series),
      spec: { ...previous.spec, calendars: scheduleCalendars(series), timezone: series.recurrence.timeZone },
    }));
  }

  /** Fires an occurrence now (its local date is today's in the series' zone). */
  async trigger(seriesId: string): Promise<void> {
    await this.handle(seriesId).trigger('ALLOW_ALL');
  }

  pause(seriesId: string, note = 'paused'): Promise<void> {
    return this.handle(seriesId).pause(note);
  }

  resume(seriesId: string, note = 'resumed'): Promise<void> {
    return this.handle(seriesId).unpause(note);
  }

  /** Deletes the Schedule; occurrences already started are ordinary webinars and go on. */
  end(seriesId: string): Promise<void> {
    return this.handle(seriesId).delete();
  }
}

function seriesOf(described: ScheduleDescription): SeriesSpec {
  const action = described.action;
  const arg: unknown = action.type === 'startWorkflow' ? action.args?.[0] : undefined;
  if (arg === undefined) throw new Error(`Schedule ${described.scheduleId} is not a series`);
  return arg as SeriesSpec;
}

function withSeries(previous: ScheduleDescription, series: SeriesSpec): ScheduleUpdateOptions {
  const action = previous.action;
  if (action.type !== 'startWorkflow') throw new Error(`Schedule ${previous.scheduleId} is not a series`);
  return { ...previous, action: { ...action, args: [series] } };
}
