/**
 * The series input, checked field by field with the webinar's own validators: the template is checked as the
 * webinar input an occurrence would get, and its errors are reported under `template.` (times under
 * `durationMinutes`), so a series that validates yields occurrences that validate.
 */
import { DEFAULT_PROVISION_LEAD_SECONDS, MAX_WEBINAR_HOURS } from '../limits';
import {
  checkArray,
  checkEnum,
  checkInteger,
  checkKnownKeys,
  checkString,
  describe,
  echoed,
  Errors,
  isAbsent,
  requireObject,
  type Validated,
} from '../validation/fields';
import { WEBINAR_ID_CHAR } from '../validation/identifiers';
import { validateWebinarSpec } from '../validation/spec';
import { DAYS_OF_WEEK, type SeriesSpec } from './types';
import { isLocalDate, isTimeZone, MAX_SERIES_ID_CHARS } from './occurrence';

const SERIES_FIELDS = ['seriesId', 'template', 'durationMinutes', 'provisionLeadSeconds', 'recurrence'];
const RECURRENCE_FIELDS = ['calendars', 'timeZone', 'endDate', 'count', 'exclusions'];
const CALENDAR_FIELDS = ['daysOfWeek', 'hour', 'minute'];
/** Bounds that keep a series input (and its Schedule) small. */
export const MAX_CALENDARS = 20;
export const MAX_EXCLUSIONS = 366;
export const MAX_OCCURRENCES = 10_000;

function checkRecurrence(value: unknown, errors: Errors): void {
  if (!requireObject(value, 'recurrence', errors, 'an object {calendars, timeZone, endDate?, count?}'))
    return;
  checkKnownKeys(value, RECURRENCE_FIELDS, 'recurrence', errors);
  if (isAbsent(value.timeZone)) errors.add('recurrence.timeZone', 'is required: an IANA time zone');
  else if (typeof value.timeZone !== 'string' || !isTimeZone(value.timeZone)) {
    const got = typeof value.timeZone === 'string' ? `'${echoed(value.timeZone)}'` : describe(value.timeZone);
    errors.add('recurrence.timeZone', `must be an IANA time zone such as 'Europe/Berlin', got ${got}`);
  }
  const calendars = value.calendars;
  if (isAbsent(calendars)) errors.add('recurrence.calendars', 'is required: [{daysOfWeek, hour, minute}]');
  else if (checkArray(calendars, 'recurrence.calendars', errors, '{daysOfWeek, hour, minute} objects')) {
    if (calendars.length === 0 || calendars.length > MAX_CALENDARS)
      errors.add(
        'recurrence.calendars',
        `must list 1 to ${MAX_CALENDARS} calendars, got ${calendars.length}`,
      );
    else calendars.forEach((calendar, i) => checkCalendar(calendar, `recurrence.calendars[${i}]`, errors));
  }
  if (!isAbsent(value.endDate) && !isLocalDate(value.endDate))
    errors.add('recurrence.endDate', `must be a local date YYYY-MM-DD, got ${describe(value.endDate)}`);
  if (!isAbsent(value.count))
    checkInteger(value.count, 'recurrence.count', errors, 1, MAX_OCCURRENCES, 'occurrences at most');
  if (!isAbsent(value.exclusions)) {
    const list = value.exclusions;
    if (!checkArray(list, 'recurrence.exclusions', errors, 'local dates YYYY-MM-DD')) return;
    if (list.length > MAX_EXCLUSIONS)
      errors.add('recurrence.exclusions', `must list at most ${MAX_EXCLUSIONS} dates, got ${list.length}`);
    else
      list.forEach((date, i) => {
        if (!isLocalDate(date))
          errors.add(`recurrence.exclusions[${i}]`, `must be a local date YYYY-MM-DD, got ${describe(date)}`);
      });
  }
}

function checkCalendar(value: unknown, path: string, errors: Errors): void {
  if (!requireObject(value, path, errors, 'an object {daysOfWeek, hour, minute}')) return;
  checkKnownKeys(value, CALENDAR_FIELDS, path, errors);
  const days = value.daysOfWeek;
  if (isAbsent(days)) errors.add(`${path}.daysOfWeek`, `is required: some of ${DAYS_OF_WEEK.join(', ')}`);
  else if (checkArray(days, `${path}.daysOfWeek`, errors, 'day names')) {
    if (days.length === 0 || days.length > DAYS_OF_WEEK.length)
      errors.add(`${path}.daysOfWeek`, `must list 1 to 7 days, got ${days.length}`);
    else days.forEach((day, i) => checkEnum(day, DAYS_OF_WEEK, `${path}.daysOfWeek[${i}]`, errors));
  }
  checkInteger(value.hour, `${path}.hour`, errors, 0, 23, 'the local hour');
  checkInteger(value.minute, `${path}.minute`, errors, 0, 59, 'the local minute');
}

/** Validates a series input, reporting every bad field (external user IDs never echoed, as for a webinar). */
export function validateSeriesSpec(input: unknown): Validated<SeriesSpec> {
  const errors = new Errors();
  if (!requireObject(input, '', errors, 'a JSON object (the series input)')) return errors.failure();
  checkKnownKeys(input, SERIES_FIELDS, '', errors);
  if (isAbsent(input.seriesId))
    errors.add('seriesId', `is required: 2-${MAX_SERIES_ID_CHARS} characters of letters, digits, - and _`);
  else
    checkString(input.seriesId, 'seriesId', errors, {
      min: 2,
      max: MAX_SERIES_ID_CHARS,
      charClass: WEBINAR_ID_CHAR,
      charsDescription: 'letters, digits, - and _ (occurrence webinar IDs add the date to it, within 48)',
      echo: true,
    });
  const duration = input.durationMinutes;
  const durationOk = checkInteger(
    duration,
    'durationMinutes',
    errors,
    1,
    MAX_WEBINAR_HOURS * 60,
    'minutes each occurrence lasts',
  );
  checkRecurrence(input.recurrence, errors);
  const template = input.template;
  if (
    requireObject(template, 'template', errors, 'an object (a webinar input without webinarId and times)')
  ) {
    const start = Date.UTC(2030, 0, 7, 10);
    const probe = {
      ...template,
      webinarId: 'series-probe',
      startAt: new Date(start).toISOString(),
      endAt: new Date(start + (durationOk ? duration : 60) * 60_000).toISOString(),
      ...(isAbsent(input.provisionLeadSeconds) ? {} : { provisionLeadSeconds: input.provisionLeadSeconds }),
    };
    for (const key of ['webinarId', 'startAt', 'endAt', 'provisionLeadSeconds'])
      if (key in template)
        errors.add(
          `template.${key}`,
          'is set by the series for each occurrence; leave it out of the template',
        );
    const checked = validateWebinarSpec(probe);
    if (!checked.ok)
      for (const e of checked.errors) {
        if (e.field === 'provisionLeadSeconds') errors.add(e.field, e.message);
        else if (e.field === 'endAt' || e.field === 'startAt') errors.add('durationMinutes', e.message);
        else if (!['webinarId'].includes(e.field)) errors.add(`template.${e.field}`, e.message);
      }
  }
  if (errors.count > 0) return errors.failure();
  const spec = input as unknown as SeriesSpec;
  return {
    ok: true,
    value: { ...spec, provisionLeadSeconds: spec.provisionLeadSeconds ?? DEFAULT_PROVISION_LEAD_SECONDS },
  };
}
