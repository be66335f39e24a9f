/**
 * The recorded failure of the worst bad input stays small in bytes, not just in field errors: values and keys
 * echoed back are cut, and message and details do not carry the same text twice. Measured as the workflow
 * records its ValidationError (built as in workflows/webinar.ts), encoded to the protobuf Failure the server
 * stores: with the SDK's default converters (no payload codec) and with the project's encrypting data
 * converter. Before the cut, this input gave a failure of several MB, over Temporal's 2 MiB payload limit, so
 * the run could not even record FAILED.
 */
import { randomBytes } from 'node:crypto';
import { ApplicationFailure, type DataConverter } from '@temporalio/common';
import {
  decodeOptionalFailureToOptionalError,
  encodeErrorToFailure,
  loadDataConverter,
} from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import { dataConverterFromEnv, KEYS_ENV } from '../../client/temporal/codec';
import { withSummaryMessage } from '../../client/temporal/failure-converter';
import { MAX_REPORTED_ERRORS } from '../../domain/limits';
import {
  echoed,
  formatFieldErrors,
  MAX_ECHOED_CHARS,
  summarizeFieldErrors,
  type FieldError,
  type Validated,
} from '../../domain/validation/fields';
import { validateWebinarSpec } from '../../domain/validation/spec';

const KIB = 1024;
const BOUND = 256 * KIB;

/**
 * Accented letters (À-ÿ) are 2 bytes in UTF-8 and 1 character in JS, so lengths checked in characters let the
 * bytes double; drawn pseudo-randomly, so that the codec's deflate cannot shrink them to nothing.
 */
let seed = 1;
function accented(chars: number, tag: string): string {
  const out: string[] = [tag];
  for (let i = tag.length; i < chars; i++) {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    out.push(String.fromCharCode(0xc0 + ((seed >>> 16) & 63)));
  }
  return out.join('');
}

/** Every field wrong, each echoing a long value or key; well over MAX_REPORTED_ERRORS errors in all. */
function worstInput(): Record<string, unknown> {
  const input: Record<string, unknown> = {
    webinarId: accented(10_000, 'id'),
    title: accented(10_000, 'title'),
    startAt: accented(10_000, 'start'),
    endAt: accented(10_000, 'end'),
    primaryRegion: accented(10_000, 'primary'),
    controlRegion: accented(10_000, 'control'),
    // One entry per media Region (a longer list is refused without reading it), each a bad Region.
    replicaRegions: Array.from({ length: 20 }, (_, i) => accented(5_000, `r${i}`)),
    attendees: Array.from({ length: 60 }, (_, i) => ({
      externalUserId: `user-${i}`,
      role: accented(1_500, `role${i}`),
      region: accented(1_500, `region${i}`),
      [accented(1_000, `key${i}`)]: true,
    })),
    tags: Array.from({ length: 50 }, (_, i) => ({ Key: accented(1_000, `k${i}`), Value: 'v' })),
    transcription: { LanguageCode: accented(5_000, 'lang'), [accented(5_000, 'tx')]: 1 },
  };
  // Unknown keys of 100 KB each (50,000 accented characters).
  for (let i = 0; i < 8; i++) input[accented(50_000, `unknown${i}`)] = 1;
  return input;
}

function errorsOf(result: Validated<unknown>): FieldError[] {
  if (result.ok) throw new Error('expected a failure');
  return result.errors;
}

/** The ValidationError exactly as workflows/webinar.ts throws it for an invalid input. */
function validationFailure(errors: FieldError[]): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'ValidationError',
    nonRetryable: true,
    message: formatFieldErrors(errors),
    details: [errors],
  });
}

/** The bytes of the Failure as recorded, and the error a client decodes from it. */
async function recorded(
  failure: ApplicationFailure,
  dataConverter?: DataConverter,
): Promise<{ bytes: number; decoded: ApplicationFailure }> {
  const loaded = loadDataConverter(dataConverter);
  const proto = await encodeErrorToFailure(loaded, failure);
  const bytes = temporal.api.failure.v1.Failure.encode(proto).finish().length;
  const decoded = await decodeOptionalFailureToOptionalError(loaded, proto);
  if (!(decoded instanceof ApplicationFailure)) throw new Error('not decoded as an ApplicationFailure');
  return { bytes, decoded };
}

describe('the recorded failure of the worst bad input', () => {
  const input = worstInput();
  const inputBytes = Buffer.byteLength(JSON.stringify(input));
  const result = validateWebinarSpec(input);
  if (result.ok) throw new Error('the worst input validated');
  const errors = result.errors;
  const failure = validationFailure(errors);

  test('the input is over 1 MB (but a start still accepts it) and has more bad fields than are listed', () => {
    expect(inputBytes).toBeGreaterThan(1_000_000);
    expect(inputBytes).toBeLessThan(2 * KIB * KIB);
    expect(errors).toHaveLength(MAX_REPORTED_ERRORS + 1);
  });

  test(`is at most ${BOUND / KIB} KiB with the SDK's default converters`, async () => {
    const { bytes, decoded } = await recorded(failure);
    console.log(`input ${inputBytes} bytes: recorded failure ${bytes} bytes (default converters)`);
    expect(bytes).toBeLessThanOrEqual(BOUND);
    expect(decoded.details?.[0]).toEqual(errors);
  });

  test(`is at most ${BOUND / KIB} KiB with the project's encrypting data converter`, async () => {
    const converter = dataConverterFromEnv({ [KEYS_ENV]: `k1:${randomBytes(32).toString('base64')}` });
    expect(converter?.failureConverterPath).toBeDefined();
    const { bytes, decoded } = await recorded(failure, converter);
    console.log(`input ${inputBytes} bytes: recorded failure ${bytes} bytes (encrypted)`);
    expect(bytes).toBeLessThanOrEqual(BOUND);
    // The details keep every listed error; the message is a summary, not the list again.
    expect(decoded.details?.[0]).toEqual(errors);
    expect(decoded.message).toMatch(/^Invalid webinar input: \d[\d,]* errors: /);
    expect(decoded.message.length).toBeLessThan(2 * KIB);
  });
});

describe('the pieces of the bound', () => {
  test('an echoed value is cut to 64 characters, with an ellipsis and its length, never inside a character', () => {
    expect(echoed('eu-west-1')).toBe('eu-west-1');
    const long = 'a'.repeat(MAX_ECHOED_CHARS + 1);
    expect(echoed(long)).toBe(`${'a'.repeat(MAX_ECHOED_CHARS)}… (65 characters)`);
    const emoji = `${'a'.repeat(MAX_ECHOED_CHARS - 1)}😀😀`;
    expect(echoed(emoji)).toBe(`${'a'.repeat(MAX_ECHOED_CHARS - 1)}… (67 characters)`);
  });

  test('unknown keys are echoed cut in the field path, and a key named like an Object method is just unknown', () => {
    const errors = errorsOf(validateWebinarSpec({ ['k'.repeat(100_000)]: 1, constructor: 1 }));
    expect(errors[0]?.field).toBe(`${'k'.repeat(MAX_ECHOED_CHARS)}… (100,000 characters)`);
    expect(errors[1]).toEqual({ field: 'constructor', message: errors[0]?.message });
    expect(errors[1]?.message).toMatch(/^unknown field; allowed fields here are: webinarId, /);
  });

  test('one error: the summary is the full message; more: the count, the first in full, then fields', () => {
    const one: FieldError[] = [{ field: 'endAt', message: 'must be after startAt' }];
    expect(summarizeFieldErrors(one)).toBe(formatFieldErrors(one));
    const many = Array.from({ length: 250 }, (_, i) => ({ field: `f${i}`, message: 'bad' }));
    expect(summarizeFieldErrors(many, 'addAttendees argument')).toBe(
      "Invalid addAttendees argument: 250 errors: f0: bad; and f1, f2, f3, ... (the failure's details list the first 100)",
    );
    expect(summarizeFieldErrors(many.slice(0, 2))).toBe(
      "Invalid webinar input: 2 errors: f0: bad; and f1 (the failure's details list every one)",
    );
  });

  test('the failure converter records a one-error ValidationError as it is', () => {
    const one: FieldError[] = [{ field: 'endAt', message: 'must be after startAt' }];
    const failure = validationFailure(one);
    expect(withSummaryMessage(failure)).toBe(failure);
  });
});
