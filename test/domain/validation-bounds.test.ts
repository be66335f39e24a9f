/**
 * Bounded validation (issue #17): whatever the input, a failure lists at most MAX_REPORTED_ERRORS field
 * errors plus a count of the rest, and an oversized roster is refused before its entries are read.
 * The failure a real workflow run records is measured in test/capacity/bounded-validation.test.ts.
 */
import { validateMuteAllExceptArgs } from '../../domain/operator-action-table';
import { MAX_ATTENDEES, MAX_REPORTED_ERRORS } from '../../domain/limits';
import {
  boundFieldErrors,
  formatFieldErrors,
  type FieldError,
  type MoreFieldErrors,
} from '../../domain/validation/fields';
import { validateWebinarSpec } from '../../domain/validation/spec';

function spec(attendees: unknown[]): Record<string, unknown> {
  return {
    webinarId: 'bounded',
    startAt: '2031-06-01T15:00:00Z',
    endAt: '2031-06-01T16:00:00Z',
    primaryRegion: 'us-east-1',
    attendees,
  };
}

/** Attendees with two bad fields each: an ID too short and an unknown role. */
const bad = (n: number): unknown[] =>
  Array.from({ length: n }, () => ({ externalUserId: 'x', role: 'admin' }));

function errorsOf(result: ReturnType<typeof validateWebinarSpec>): FieldError[] {
  if (result.ok) throw new Error('expected a failure');
  return result.errors;
}

describe('bounded validation', () => {
  test('12,000 bad attendees: one error for the roster size, none for its entries', () => {
    const errors = errorsOf(validateWebinarSpec(spec(bad(12_000))));
    expect(errors).toEqual([
      {
        field: 'attendees',
        message: expect.stringContaining(
          '12,000 attendees and a promotion reserve of 10 seats need 49 meetings of 250 but at most 5 are allowed',
        ) as unknown,
      },
    ]);
  });

  test('an oversized roster is named even when maxReplicas is invalid too', () => {
    const errors = errorsOf(validateWebinarSpec({ ...spec(bad(MAX_ATTENDEES + 1)), maxReplicas: 99 }));
    expect(errors.map((e) => e.field)).toEqual(['maxReplicas', 'attendees']);
    expect(errors[1]?.message).toMatch(/at most 10,250 attendees .* got 10,251/);
  });

  test('10,000 bad attendees (20,000 errors): the first 100 are listed, then the count of the rest', () => {
    const errors = errorsOf(validateWebinarSpec(spec(bad(10_000))));
    expect(errors).toHaveLength(MAX_REPORTED_ERRORS + 1);
    expect(errors[0]?.field).toBe('attendees[0].externalUserId');
    const last = errors[MAX_REPORTED_ERRORS] as MoreFieldErrors;
    // 20,000 entry errors plus the capacity error (10,000 attendees do not fit in 1 + 4 meetings).
    expect(last).toEqual({ field: 'input', message: 'and 19,901 more errors', more: 19_901 });
    expect(formatFieldErrors(errors).endsWith('; and 19,901 more errors')).toBe(true);
    expect(JSON.stringify(errors).length).toBeLessThan(16 * 1024);
  });

  test('cutting a cut list changes nothing, and counts carry over', () => {
    const many: FieldError[] = Array.from({ length: 250 }, (_, i) => ({ field: `f${i}`, message: 'bad' }));
    const once = boundFieldErrors(many);
    expect(once).toHaveLength(MAX_REPORTED_ERRORS + 1);
    expect(boundFieldErrors(once)).toEqual(once);
    const merged = boundFieldErrors([{ field: 'g', message: 'bad' }, ...once]);
    expect(merged[MAX_REPORTED_ERRORS]).toEqual({
      field: 'input',
      message: 'and 151 more errors',
      more: 151,
    });
  });

  test('operator action arguments are bounded the same way', () => {
    const result = validateMuteAllExceptArgs({ externalUserIds: Array.from({ length: 250 }, () => 'x') });
    if (result.ok) throw new Error('expected a failure');
    expect(result.errors).toHaveLength(MAX_REPORTED_ERRORS + 1);
    expect(formatFieldErrors(result.errors, 'muteAllExcept argument')).toMatch(/; and 150 more errors$/);
  });

  test('a replicaRegions list longer than the media Regions is refused without reading it', () => {
    const errors = errorsOf(
      validateWebinarSpec({
        ...spec([]),
        replicaRegions: Array.from({ length: 100_000 }, () => 'eu-west-1'),
      }),
    );
    expect(errors).toEqual([
      { field: 'replicaRegions', message: expect.stringContaining('got 100000 entries') as unknown },
    ]);
  });
});
