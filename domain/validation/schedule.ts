/** Instants and the webinar's window: ISO-8601 with a timezone, endAt after startAt, at most 24 hours. */
import { MAX_WEBINAR_HOURS } from '../limits';
import { describe, echoed, Errors, type FieldError } from './fields';

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$/;
const ISO_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/;
export const ISO_EXAMPLE = 'e.g. 2025-06-01T15:00:00Z or 2025-06-01T17:00:00+02:00';

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Epoch milliseconds of an ISO-8601 date-time with a timezone (Z or ±hh:mm), or undefined when the string is
 * not one (no timezone, or not a real calendar date and time). Years 1970-9999.
 */
export function parseIsoInstant(value: string): number | undefined {
  const match = ISO_INSTANT.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone, sign, oh, om] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s ?? '0');
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const offsetHours = Number(oh);
    const offsetMins = Number(om);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const millis = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
}

export function checkInstant(value: unknown, path: string, errors: Errors): number | undefined {
  if (typeof value !== 'string') {
    errors.add(
      path,
      `must be an ISO-8601 date-time string with a timezone (${ISO_EXAMPLE}), got ${describe(value)}`,
    );
    return undefined;
  }
  const parsed = parseIsoInstant(value);
  if (parsed !== undefined) return parsed;
  if (ISO_WITHOUT_ZONE.test(value)) {
    errors.add(
      path,
      `'${echoed(value)}' has no timezone; add Z for UTC or an offset such as +02:00 (${ISO_EXAMPLE})`,
    );
  } else if (ISO_INSTANT.test(value)) {
    errors.add(path, `'${echoed(value)}' is not a real calendar date and time (years 1970-9999)`);
  } else {
    errors.add(path, `'${echoed(value)}' is not an ISO-8601 date-time with a timezone (${ISO_EXAMPLE})`);
  }
  return undefined;
}

export function checkWindow(start: number, end: number, errors: Errors): void {
  if (end <= start) {
    errors.add('endAt', 'must be after startAt');
  } else if (end - start > MAX_WEBINAR_HOURS * 3_600_000) {
    const hours = Math.round(((end - start) / 3_600_000) * 10) / 10;
    errors.add('endAt', `must be at most ${MAX_WEBINAR_HOURS} hours after startAt, got ${hours} hours`);
  }
}

/**
 * Checks a complete schedule (for example the current one merged with new times from an operator): both ISO-8601 with a
 * timezone, endAt after startAt, at most 24 hours apart.
 */
export function validateSchedule(startAt: string, endAt: string): FieldError[] {
  const errors = new Errors();
  const start = checkInstant(startAt, 'startAt', errors);
  const end = checkInstant(endAt, 'endAt', errors);
  if (start !== undefined && end !== undefined) checkWindow(start, end, errors);
  return errors.list;
}
