/** Webinar series in the domain: validation names its fields, occurrence IDs, local times across DST. */
import {
  localTime,
  occurrenceFor,
  occurrenceStart,
  occurrenceWebinarId,
  scheduleCalendars,
} from '../../domain/series/occurrence';
import type { SeriesSpec } from '../../domain/series/types';
import { validateSeriesSpec } from '../../domain/series/validation';
import { validateWebinarSpec } from '../../domain/validation/spec';

const series = (over: Partial<SeriesSpec> = {}): SeriesSpec => ({
  seriesId: 'office-hours',
  template: {
    title: 'Office hours',
    primaryRegion: 'eu-central-1',
    attendees: [{ externalUserId: 'host-1', role: 'host' }],
  },
  durationMinutes: 60,
  provisionLeadSeconds: 120,
  recurrence: { calendars: [{ daysOfWeek: ['MONDAY'], hour: 10, minute: 0 }], timeZone: 'Europe/Berlin' },
  ...over,
});

describe('validateSeriesSpec', () => {
  it('accepts a weekly series and fills in the lead', () => {
    const { provisionLeadSeconds: _, ...rest } = series();
    const checked = validateSeriesSpec(rest);
    expect(checked.ok && checked.value.provisionLeadSeconds).toBe(120);
  });

  it('names every bad field, the template under template., without echoing user IDs', () => {
    const checked = validateSeriesSpec({
      seriesId: 'x'.repeat(33),
      template: {
        primaryRegion: 'mars-1',
        startAt: '2030-01-01T00:00:00Z',
        attendees: [{ externalUserId: 'secret\u0001user', role: 'host' }],
      },
      durationMinutes: 0,
      provisionLeadSeconds: 600,
      recurrence: {
        timeZone: 'Mars/Olympus',
        calendars: [{ daysOfWeek: ['MONDAY', 'Funday'], hour: 24, minute: 0 }],
        exclusions: ['2026-13-01'],
        count: 0,
      },
    });
    expect(checked.ok).toBe(false);
    const fields = checked.ok ? [] : checked.errors.map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'seriesId',
        'durationMinutes',
        'provisionLeadSeconds',
        'template.primaryRegion',
        'template.startAt',
        'template.attendees[0].externalUserId',
        'recurrence.timeZone',
        'recurrence.calendars[0].daysOfWeek[1]',
        'recurrence.calendars[0].hour',
        'recurrence.exclusions[0]',
        'recurrence.count',
      ]),
    );
    expect(JSON.stringify(checked)).not.toContain('secret');
  });

  it('refuses a non-object and a missing recurrence by name', () => {
    expect(validateSeriesSpec(42)).toMatchObject({ ok: false, errors: [{ field: 'input' }] });
    const { recurrence: _, ...rest } = series();
    const checked = validateSeriesSpec(rest);
    expect(checked.ok ? [] : checked.errors.map((e) => e.field)).toContain('recurrence');
  });
});

describe('occurrences', () => {
  it('names an occurrence by series and local date, with a time when there are several calendars', () => {
    const start = Date.parse('2026-12-14T09:00:00Z'); // 10:00 in Berlin
    expect(occurrenceWebinarId(series(), start)).toBe('office-hours-2026-12-14');
    const twice = series({
      recurrence: {
        timeZone: 'Europe/Berlin',
        calendars: [
          { daysOfWeek: ['MONDAY'], hour: 10, minute: 0 },
          { daysOfWeek: ['MONDAY'], hour: 16, minute: 30 },
        ],
      },
    });
    expect(occurrenceWebinarId(twice, start)).toBe('office-hours-2026-12-14-1000');
    // The longest series ID still gives a valid webinar ID.
    const long = { ...twice, seriesId: 'a'.repeat(32) };
    expect(occurrenceWebinarId(long, start)).toHaveLength(48);
  });

  it('fires the lead before the start, moving to the day before past midnight', () => {
    expect(scheduleCalendars(series())).toEqual([{ dayOfWeek: ['MONDAY'], hour: 9, minute: 58, second: 0 }]);
    const midnight = series({
      provisionLeadSeconds: 90,
      recurrence: { timeZone: 'UTC', calendars: [{ daysOfWeek: ['SUNDAY'], hour: 0, minute: 0 }] },
    });
    expect(scheduleCalendars(midnight)).toEqual([
      { dayOfWeek: ['SATURDAY'], hour: 23, minute: 58, second: 30 },
    ]);
  });

  it("computes the occurrence's webinar input from its scheduled time, valid as a webinar", () => {
    const fired = Date.parse('2026-12-14T08:58:00Z');
    const decision = occurrenceFor(series(), fired);
    expect(decision).toMatchObject({
      kind: 'start',
      spec: {
        webinarId: 'office-hours-2026-12-14',
        startAt: '2026-12-14T09:00:00.000Z',
        endAt: '2026-12-14T10:00:00.000Z',
        provisionLeadSeconds: 120,
      },
    });
    if (decision.kind === 'start') expect(validateWebinarSpec(decision.spec).ok).toBe(true);
    const skipped = series({
      recurrence: { ...series().recurrence, exclusions: ['2026-12-14'] },
    });
    expect(occurrenceFor(skipped, fired).kind).toBe('skip');
  });

  it('keeps a weekly 10:00 in Europe/Berlin at 10:00 local across the DST change', () => {
    // Mondays before and after 2027-03-28 (CET to CEST): the UTC instants differ by an hour.
    const before = Date.parse('2027-03-22T09:00:00Z');
    const after = Date.parse('2027-03-29T08:00:00Z');
    for (const at of [before, after])
      expect(localTime(at, 'Europe/Berlin')).toMatchObject({ hour: 10, minute: 0 });
    expect(localTime(after, 'Europe/Berlin')).toMatchObject({ date: '2027-03-29', dayOfWeek: 'MONDAY' });
    expect(occurrenceStart(series(), after - 120_000)).toBe(after);
  });
});
