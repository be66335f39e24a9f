import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  LimitExceededException,
  NotFoundException,
  ResourceNotFoundException,
  ServiceFailureException,
  ServiceUnavailableException,
  ThrottlingException,
  TooManyTagsException,
  UnauthorizedException,
  UnprocessableEntityException,
  ChimeSDKMeetingsServiceException,
} from '@aws-sdk/client-chime-sdk-meetings';
import * as chimeSdk from '@aws-sdk/client-chime-sdk-meetings';
import { ApplicationFailure } from '@temporalio/common';
import {
  AWS_ERROR_RULES,
  MAX_RETRY_AFTER_MS,
  classify,
  retryAfterMs,
  toActivityFailure,
} from '../../activities';
import { redact } from '../../activities';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode, requestId: 'req-1' } });

/** Every modelled exception, built the way the SDK builds it, with the decision we expect. */
const cases: [string, Error, boolean][] = [
  ['ThrottlingException', new ThrottlingException({ message: 'Rate exceeded', ...meta(429) }), true],
  ['ServiceFailureException', new ServiceFailureException({ message: 'boom', ...meta(500) }), true],
  ['ServiceUnavailableException', new ServiceUnavailableException({ message: 'later', ...meta(503) }), true],
  ['ConflictException', new ConflictException({ message: 'in flight', ...meta(409) }), true],
  [
    'BadRequestException',
    new BadRequestException({ message: 'MediaRegion is invalid', ...meta(400) }),
    false,
  ],
  ['ForbiddenException', new ForbiddenException({ message: 'no', ...meta(403) }), false],
  ['UnauthorizedException', new UnauthorizedException({ message: 'who?', ...meta(401) }), false],
  [
    'UnprocessableEntityException',
    new UnprocessableEntityException({ message: 'state', ...meta(422) }),
    false,
  ],
  ['TooManyTagsException', new TooManyTagsException({ message: '51 tags', ...meta(400) }), false],
  ['LimitExceededException', new LimitExceededException({ message: 'quota', ...meta(400) }), false],
  ['NotFoundException', new NotFoundException({ message: 'gone', ...meta(404) }), false],
  ['ResourceNotFoundException', new ResourceNotFoundException({ message: 'gone', ...meta(404) }), false],
  [
    'ValidationException',
    new ChimeSDKMeetingsServiceException({
      name: 'ValidationException',
      $fault: 'client',
      message: 'ExternalUserId too long',
      ...meta(400),
    }),
    false,
  ],
];

function failureOf(err: unknown, op = 'getAttendee'): ApplicationFailure {
  const f = toActivityFailure(err, op);
  expect(f).toBeInstanceOf(ApplicationFailure);
  return f as ApplicationFailure;
}

describe('error mapping table', () => {
  it.each(cases)('%s → type = AWS name, retryable decision from the table', (name, err, retryable) => {
    const f = failureOf(err);
    expect(f.type).toBe(name);
    expect(f.nonRetryable).toBe(!retryable);
    expect(f.message).toContain('getAttendee');
    expect(f.message).toContain(err.message);
    expect(f.message).toContain(retryable ? 'retryable' : 'not retryable');
    expect(f.details?.[0]).toMatchObject({ operation: 'getAttendee', awsError: name, requestId: 'req-1' });
  });

  it('covers every exception class the SDK (i.e. the service model) declares', () => {
    const declared = Object.entries(chimeSdk)
      .filter(
        ([name, value]) =>
          typeof value === 'function' &&
          name.endsWith('Exception') &&
          (value as { prototype: unknown }).prototype instanceof ChimeSDKMeetingsServiceException,
      )
      .map(([name]) => name);
    // The SDK's 12 exception classes, and ValidationException that AWS front ends may return besides.
    expect(declared.sort()).toEqual([
      'BadRequestException',
      'ConflictException',
      'ForbiddenException',
      'LimitExceededException',
      'NotFoundException',
      'ResourceNotFoundException',
      'ServiceFailureException',
      'ServiceUnavailableException',
      'ThrottlingException',
      'TooManyTagsException',
      'UnauthorizedException',
      'UnprocessableEntityException',
    ]);
    expect(Object.keys(AWS_ERROR_RULES).sort()).toEqual([...declared, 'ValidationException'].sort());
    for (const name of declared) expect(cases.map(([n]) => n)).toContain(name);
  });

  it('LimitExceeded is a quota, not a throttle: distinct message, never retried', () => {
    const f = failureOf(new LimitExceededException({ message: 'Too many meetings', ...meta(400) }));
    expect(f.type).toBe('LimitExceededException');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toMatch(/service quota exceeded/);
    expect(f.message).toMatch(/not a throttle/);
    const t = failureOf(new ThrottlingException({ message: 'Rate exceeded', ...meta(429) }));
    expect(t.message).not.toMatch(/quota/);
  });

  it('ServiceUnavailable Retry-After (the modelled header member) sets nextRetryDelay', () => {
    const err = new ServiceUnavailableException({ message: 'later', RetryAfterSeconds: '7', ...meta(503) });
    const f = failureOf(err);
    expect(f.nonRetryable).toBe(false);
    expect(f.nextRetryDelay).toBe(7000);
    expect(f.details?.[0]).toMatchObject({ retryAfterMs: 7000 });
  });

  it('without Retry-After there is no nextRetryDelay (the retry policy applies)', () => {
    const f = failureOf(new ServiceUnavailableException({ message: 'later', ...meta(503) }));
    expect(f.nextRetryDelay).toBeUndefined();
  });

  it('reads Retry-After from the raw response headers too (e.g. on a 429), seconds or HTTP date', () => {
    const err = new ThrottlingException({ message: 'slow down', ...meta(429) });
    Object.defineProperty(err, '$response', { value: { statusCode: 429, headers: { 'retry-after': '2' } } });
    expect(failureOf(err).nextRetryDelay).toBe(2000);
    const now = Date.parse('2030-01-01T00:00:00Z');
    const dated = { $response: { headers: { 'Retry-After': 'Tue, 01 Jan 2030 00:00:03 GMT' } } };
    expect(retryAfterMs(dated, () => now)).toBe(3000);
    expect(retryAfterMs({ RetryAfterSeconds: '99999' })).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs({ RetryAfterSeconds: 'soon' })).toBeUndefined();
  });

  it('a non-retryable error ignores Retry-After', () => {
    const err = new BadRequestException({ message: 'bad', ...meta(400) });
    Object.defineProperty(err, '$response', { value: { statusCode: 400, headers: { 'retry-after': '5' } } });
    expect(failureOf(err).nextRetryDelay).toBeUndefined();
  });

  it.each([
    ['TimeoutError', Object.assign(new Error('socket timed out'), { name: 'TimeoutError' })],
    ['ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['ECONNREFUSED', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['ETIMEDOUT', Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' })],
  ])('network failure %s is retryable', (type, err) => {
    const f = failureOf(err);
    expect(f.type).toBe(type);
    expect(f.nonRetryable).toBe(false);
  });

  it('unmodelled errors fall back on the fault class / HTTP status', () => {
    const server = new ChimeSDKMeetingsServiceException({
      name: 'InternalError',
      $fault: 'server',
      message: 'x',
      ...meta(502),
    });
    expect(classify(server)).toMatchObject({ type: 'InternalError', retryable: true });
    const client = new ChimeSDKMeetingsServiceException({
      name: 'WeirdClientError',
      $fault: 'client',
      message: 'x',
      ...meta(418),
    });
    expect(classify(client)).toMatchObject({ type: 'WeirdClientError', retryable: false });
  });

  it('ConflictException: retryable on capability updates, not on meeting creation (token reuse)', () => {
    const conflict = () => new ConflictException({ message: 'conflict', ...meta(409) });
    expect(failureOf(conflict(), 'updateAttendeeCapabilities').nonRetryable).toBe(false);
    expect(failureOf(conflict(), 'batchUpdateAttendeeCapabilitiesExcept').nonRetryable).toBe(false);
    const create = failureOf(conflict(), 'createMeeting');
    expect(create).toMatchObject({ type: 'ConflictException', nonRetryable: true });
    expect(create.message).toMatch(/ClientRequestToken was already used/);
    expect(failureOf(conflict(), 'createMeetingWithAttendees').nonRetryable).toBe(true);
  });

  it('passes ApplicationFailures through unchanged', () => {
    const original = ApplicationFailure.nonRetryable('mine', 'Mine');
    expect(toActivityFailure(original, 'getMeeting')).toBe(original);
  });
});

describe('redact', () => {
  it('keeps two characters and a stable hash, never the whole value', () => {
    const r = redact('alice@example.com');
    expect(r).toMatch(/^al…#[0-9a-f]{8}$/);
    expect(r).not.toContain('alice');
    expect(redact('alice@example.com')).toBe(r);
    expect(redact('alice@example.org')).not.toBe(r);
    expect(redact(undefined)).toBe('<none>');
  });
});
