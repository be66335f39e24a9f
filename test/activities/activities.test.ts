import {
  BatchCreateAttendeeCommand,
  BatchUpdateAttendeeCapabilitiesExceptCommand,
  ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  CreateMeetingCommand,
  CreateMeetingWithAttendeesCommand,
  DeleteAttendeeCommand,
  DeleteMeetingCommand,
  GetAttendeeCommand,
  GetMeetingCommand,
  ListAttendeesCommand,
  ListTagsForResourceCommand,
  NotFoundException,
  ResourceNotFoundException,
  ServiceUnavailableException,
  StartMeetingTranscriptionCommand,
  StopMeetingTranscriptionCommand,
  TagResourceCommand,
  ThrottlingException,
  UntagResourceCommand,
  UpdateAttendeeCapabilitiesCommand,
  type Attendee,
} from '@aws-sdk/client-chime-sdk-meetings';
import { ApplicationFailure, type Logger, type LogLevel, type LogMetadata } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { AWS_MAX_ATTEMPTS, createChimeActivities, createChimeClientFactory } from '../../activities';
import type { AttendeeInfo, ChimeActivities } from '../../domain/chime';
import { WORKER_TAG } from '../../activities/worker-tag';

const MEETING_ID = '11111111-2222-3333-4444-555555555555';
const ATTENDEE_ID = 'aaaaaaaa-2222-3333-4444-555555555555';
const TOKEN = 'SECRET-JOIN-TOKEN-do-not-leak';
const meeting = {
  MeetingId: MEETING_ID,
  MediaRegion: 'eu-west-1',
  MeetingArn: `arn:aws:chime:us-east-1:123456789012:meeting/${MEETING_ID}`,
  ExternalMeetingId: 'Quarterly all hands',
};
const attendee = (n: number, withToken = true): Attendee => ({
  AttendeeId: `att-${n}`,
  ExternalUserId: `user-${n}@example.com`,
  ...(withToken ? { JoinToken: `${TOKEN}-${n}` } : {}),
  Capabilities: { Audio: 'Receive', Video: 'Receive', Content: 'Receive' },
});
const notFound = () => new NotFoundException({ message: 'not found', $metadata: { httpStatusCode: 404 } });

class CapturingLogger implements Logger {
  lines: string[] = [];
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.lines.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`);
  }
  trace(m: string, meta?: LogMetadata): void {
    this.log('TRACE', m, meta);
  }
  debug(m: string, meta?: LogMetadata): void {
    this.log('DEBUG', m, meta);
  }
  info(m: string, meta?: LogMetadata): void {
    this.log('INFO', m, meta);
  }
  warn(m: string, meta?: LogMetadata): void {
    this.log('WARN', m, meta);
  }
  error(m: string, meta?: LogMetadata): void {
    this.log('ERROR', m, meta);
  }
}

const chime = mockClient(ChimeSDKMeetingsClient);
let logger: CapturingLogger;
let acts: ChimeActivities;
let factory: ReturnType<typeof createChimeClientFactory>;

beforeEach(() => {
  chime.reset();
  logger = new CapturingLogger();
  factory = createChimeClientFactory({ defaultRegion: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
  acts = createChimeActivities({ clients: factory, logger, listPageSize: 2 });
});
afterEach(() => factory.destroy());

describe('client factory', () => {
  it('one cached client per control Region, undefined → default Region, one AWS attempt', async () => {
    const a = factory.client();
    const b = factory.client('us-east-1');
    const c = factory.client('eu-central-1');
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(factory.client('eu-central-1')).toBe(c);
    expect(await a.config.region()).toBe('us-east-1');
    expect(await c.config.region()).toBe('eu-central-1');
    expect(await a.config.maxAttempts()).toBe(AWS_MAX_ATTEMPTS);
    expect(AWS_MAX_ATTEMPTS).toBe(1);
    const creds = await c.config.credentials();
    expect(creds.accessKeyId).toBe('emulator');
  });

  it('rejects a malformed control Region as non-retryable before any call', async () => {
    await expect(acts.getMeeting({ controlRegion: 'moon-1', meetingId: MEETING_ID })).rejects.toMatchObject({
      type: 'InvalidControlRegion',
      nonRetryable: true,
    });
    expect(chime.calls()).toHaveLength(0);
  });

  it('sends to the control Region named by the input, not the MediaRegion', async () => {
    chime.on(CreateMeetingCommand).resolves({ Meeting: meeting });
    await acts.createMeeting({
      controlRegion: 'us-west-2',
      clientRequestToken: 'w1-g1-primary',
      externalMeetingId: 'Quarterly all hands',
      mediaRegion: 'eu-west-1',
    });
    const client = chime.call(0).thisValue as ChimeSDKMeetingsClient;
    expect(await client.config.region()).toBe('us-west-2');
  });
});

describe('meetings', () => {
  it('createMeeting passes the caller token and returns MeetingInfo', async () => {
    chime.on(CreateMeetingCommand).resolves({ Meeting: meeting });
    const info = await acts.createMeeting({
      clientRequestToken: 'w1-g1-primary',
      externalMeetingId: 'Quarterly all hands',
      mediaRegion: 'eu-west-1',
      tags: [{ Key: 'webinar', Value: 'w1' }],
    });
    expect(info).toEqual({
      meetingId: MEETING_ID,
      mediaRegion: 'eu-west-1',
      meetingArn: meeting.MeetingArn,
      externalMeetingId: 'Quarterly all hands',
    });
    expect(chime.commandCalls(CreateMeetingCommand)[0]?.args[0].input).toMatchObject({
      ClientRequestToken: 'w1-g1-primary',
      MediaRegion: 'eu-west-1',
      Tags: [{ Key: 'webinar', Value: 'w1' }, WORKER_TAG], // the IAM policy's request tag (activities/worker-tag.ts)
    });
    expect(logger.lines.join('\n')).not.toContain('Quarterly all hands');
  });

  it('createMeetingWithAttendees strips JoinTokens and returns errors as data', async () => {
    chime.on(CreateMeetingWithAttendeesCommand).resolves({
      Meeting: meeting,
      Attendees: [attendee(1), attendee(2)],
      Errors: [{ ExternalUserId: 'user-3@example.com', ErrorCode: 'BadRequest', ErrorMessage: 'bad id' }],
    });
    const out = await acts.createMeetingWithAttendees({
      clientRequestToken: 't',
      externalMeetingId: 'Quarterly all hands',
      mediaRegion: 'eu-west-1',
      attendees: [1, 2, 3].map((n) => ({ externalUserId: `user-${n}@example.com` })),
    });
    expect(out.attendees.map((a) => a.attendeeId)).toEqual(['att-1', 'att-2']);
    expect(out.errors).toEqual([
      { externalUserId: 'user-3@example.com', errorCode: 'BadRequest', errorMessage: 'bad id' },
    ]);
    expect(JSON.stringify(out)).not.toMatch(/JoinToken|SECRET/);
    // The IAM policy allows creating meetings only with the worker's request tag.
    expect(chime.commandCalls(CreateMeetingWithAttendeesCommand)[0]?.args[0].input.Tags).toEqual([
      WORKER_TAG,
    ]);
  });

  it('getMeeting → MeetingInfo, or null on NotFound', async () => {
    chime.on(GetMeetingCommand).resolvesOnce({ Meeting: meeting }).rejectsOnce(notFound());
    expect(await acts.getMeeting({ meetingId: MEETING_ID })).toMatchObject({ meetingId: MEETING_ID });
    expect(await acts.getMeeting({ meetingId: MEETING_ID })).toBeNull();
  });

  it('deleteMeeting: deleted=true, then NotFound means already done (deleted=false)', async () => {
    chime.on(DeleteMeetingCommand).resolvesOnce({}).rejectsOnce(notFound());
    expect(await acts.deleteMeeting({ meetingId: MEETING_ID })).toEqual({ deleted: true });
    expect(await acts.deleteMeeting({ meetingId: MEETING_ID })).toEqual({ deleted: false });
  });

  it('a throttled delete is a retryable failure, not "already done"', async () => {
    chime
      .on(DeleteMeetingCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }));
    await expect(acts.deleteMeeting({ meetingId: MEETING_ID })).rejects.toMatchObject({
      type: 'ThrottlingException',
      nonRetryable: false,
    });
  });

  it('a ServiceUnavailable with Retry-After surfaces as nextRetryDelay from the activity', async () => {
    chime.on(GetMeetingCommand).rejects(
      new ServiceUnavailableException({
        message: 'busy',
        RetryAfterSeconds: '3',
        $metadata: { httpStatusCode: 503 },
      }),
    );
    const err = await acts.getMeeting({ meetingId: MEETING_ID }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({
      type: 'ServiceUnavailableException',
      nonRetryable: false,
      nextRetryDelay: 3000,
    });
    expect(logger.lines.some((l) => l.startsWith('WARN') && l.includes('retryAfterMs'))).toBe(true);
  });
});

describe('attendees', () => {
  it('createAttendee returns the ID without the JoinToken; NotFound meeting is non-retryable', async () => {
    chime
      .on(CreateAttendeeCommand)
      .resolvesOnce({ Attendee: attendee(1) })
      .rejectsOnce(notFound());
    const a = await acts.createAttendee({ meetingId: MEETING_ID, externalUserId: 'user-1@example.com' });
    expect(a).toEqual({
      attendeeId: 'att-1',
      externalUserId: 'user-1@example.com',
      capabilities: { Audio: 'Receive', Video: 'Receive', Content: 'Receive' },
    });
    expect(JSON.stringify(a)).not.toMatch(/JoinToken|SECRET/);
    await expect(
      acts.createAttendee({ meetingId: MEETING_ID, externalUserId: 'user-2@example.com' }),
    ).rejects.toMatchObject({ type: 'NotFoundException', nonRetryable: true });
    const logs = logger.lines.join('\n');
    expect(logs).not.toContain('user-1@example.com');
    expect(logs).not.toContain('user-2@example.com');
  });

  it('batchCreateAttendee: per-attendee errors are data, tokens stripped, names not logged', async () => {
    chime.on(BatchCreateAttendeeCommand).resolves({
      Attendees: [attendee(1), attendee(2)],
      Errors: [{ ExternalUserId: 'user-3@example.com', ErrorCode: 'Conflict', ErrorMessage: 'dup' }],
    });
    const out = await acts.batchCreateAttendee({
      meetingId: MEETING_ID,
      attendees: [1, 2, 3].map((n) => ({
        externalUserId: `user-${n}@example.com`,
        capabilities: { Audio: 'Receive' as const, Video: 'Receive' as const, Content: 'Receive' as const },
      })),
    });
    expect(out.attendees).toHaveLength(2);
    expect(out.errors).toEqual([
      { externalUserId: 'user-3@example.com', errorCode: 'Conflict', errorMessage: 'dup' },
    ]);
    expect(JSON.stringify(out)).not.toMatch(/JoinToken|SECRET/);
    expect(chime.commandCalls(BatchCreateAttendeeCommand)[0]?.args[0].input.Attendees).toHaveLength(3);
    const logs = logger.lines.join('\n');
    expect(logs).toContain('1 attendee(s) rejected');
    expect(logs).not.toContain('user-3@example.com');
  });

  it('batchCreateAttendee with nobody makes no call', async () => {
    expect(await acts.batchCreateAttendee({ meetingId: MEETING_ID, attendees: [] })).toEqual({
      attendees: [],
      errors: [],
    });
    expect(chime.calls()).toHaveLength(0);
  });

  it('getAttendee → info or null; deleteAttendee → deleted true/false', async () => {
    chime
      .on(GetAttendeeCommand)
      .resolvesOnce({ Attendee: attendee(1) })
      .rejectsOnce(notFound());
    chime.on(DeleteAttendeeCommand).resolvesOnce({}).rejectsOnce(notFound());
    const got = await acts.getAttendee({ meetingId: MEETING_ID, attendeeId: ATTENDEE_ID });
    expect(got?.attendeeId).toBe('att-1');
    expect(JSON.stringify(got)).not.toMatch(/SECRET/);
    expect(await acts.getAttendee({ meetingId: MEETING_ID, attendeeId: ATTENDEE_ID })).toBeNull();
    expect(await acts.deleteAttendee({ meetingId: MEETING_ID, attendeeId: ATTENDEE_ID })).toEqual({
      deleted: true,
    });
    expect(await acts.deleteAttendee({ meetingId: MEETING_ID, attendeeId: ATTENDEE_ID })).toEqual({
      deleted: false,
    });
  });

  it('listAttendees reads every page and heartbeats after each one', async () => {
    chime
      .on(ListAttendeesCommand)
      .resolvesOnce({ Attendees: [attendee(1), attendee(2)], NextToken: 'p2' })
      .resolvesOnce({ Attendees: [attendee(3), attendee(4)], NextToken: 'p3' })
      .resolvesOnce({ Attendees: [attendee(5)] });
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const all: AttendeeInfo[] = await env.run((i: { meetingId: string }) => acts.listAttendees(i), {
      meetingId: MEETING_ID,
    });
    expect(all.map((a) => a.attendeeId)).toEqual(['att-1', 'att-2', 'att-3', 'att-4', 'att-5']);
    expect(JSON.stringify(all)).not.toMatch(/SECRET/);
    expect(beats).toEqual([
      { pages: 1, attendees: 2 },
      { pages: 2, attendees: 4 },
      { pages: 3, attendees: 5 },
    ]);
    const tokens = chime.commandCalls(ListAttendeesCommand).map((c) => c.args[0].input.NextToken);
    expect(tokens).toEqual([undefined, 'p2', 'p3']);
    expect(chime.commandCalls(ListAttendeesCommand)[0]?.args[0].input.MaxResults).toBe(2);
  });

  it('a throttled page after the first is read again in place, so the pages already read are kept', async () => {
    const throttle = () =>
      new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } });
    chime
      .on(ListAttendeesCommand)
      .resolvesOnce({ Attendees: [attendee(1), attendee(2)], NextToken: 'p2' })
      .rejectsOnce(throttle())
      .rejectsOnce(throttle())
      .resolvesOnce({ Attendees: [attendee(3)] });
    const paced = createChimeActivities({ clients: factory, logger, listPageSize: 2, random: () => 0 });
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const all: AttendeeInfo[] = await env.run((i: { meetingId: string }) => paced.listAttendees(i), {
      meetingId: MEETING_ID,
    });
    expect(all.map((a) => a.attendeeId)).toEqual(['att-1', 'att-2', 'att-3']);
    const tokens = chime.commandCalls(ListAttendeesCommand).map((c) => c.args[0].input.NextToken);
    expect(tokens).toEqual([undefined, 'p2', 'p2', 'p2']);
    expect(beats).toEqual([
      { pages: 1, attendees: 2 },
      { pages: 1, attendees: 2, pageRetry: 1 },
      { pages: 1, attendees: 2, pageRetry: 2 },
      { pages: 2, attendees: 3 },
    ]);
  });

  it('a page that keeps failing fails the activity after the in-place retries, retryable', async () => {
    chime
      .on(ListAttendeesCommand)
      .resolvesOnce({ Attendees: [attendee(1), attendee(2)], NextToken: 'p2' })
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }));
    const paced = createChimeActivities({ clients: factory, logger, listPageSize: 2, random: () => 0 });
    const env = new MockActivityEnvironment();
    const err = await env
      .run((i: { meetingId: string }) => paced.listAttendees(i), { meetingId: MEETING_ID })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'ThrottlingException', nonRetryable: false });
    // The first page, then the second page once and again 4 times in place.
    expect(chime.commandCalls(ListAttendeesCommand)).toHaveLength(1 + 1 + 4);
  });

  it('a retryable failure inside an activity carries a jittered delay within the retry envelope', async () => {
    chime
      .on(DeleteMeetingCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }));
    const delayAt = async (attempt: number, random: number) => {
      const jittered = createChimeActivities({ clients: factory, logger, random: () => random });
      const env = new MockActivityEnvironment({ attempt });
      const err = await env
        .run((i: { meetingId: string }) => jittered.deleteMeeting(i), { meetingId: MEETING_ID })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApplicationFailure);
      return (err as ApplicationFailure).nextRetryDelay;
    };
    // Attempt 1: 250–500 ms; attempt 3: 1–2 s; attempt 10: capped at 10–20 s (the policy's maximum interval).
    expect(await delayAt(1, 0)).toBe(250);
    expect(await delayAt(1, 1)).toBe(500);
    expect(await delayAt(3, 0.5)).toBe(1500);
    expect(await delayAt(10, 0)).toBe(10_000);
    expect(await delayAt(10, 1)).toBe(20_000);
    expect(logger.lines.some((l) => l.startsWith('WARN') && l.includes('"retryDelayMs":250'))).toBe(true);
  });

  it('listAttendees passes the activity cancellation signal to the SDK', async () => {
    chime.on(ListAttendeesCommand).resolves({ Attendees: [] });
    const env = new MockActivityEnvironment();
    await env.run((i: { meetingId: string }) => acts.listAttendees(i), { meetingId: MEETING_ID });
    const options = (chime.call(0).args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined;
    expect(options?.abortSignal).toBe(env.context.cancellationSignal);
  });

  it('updateAttendeeCapabilities and batchUpdateAttendeeCapabilitiesExcept send the right shapes', async () => {
    chime.on(UpdateAttendeeCapabilitiesCommand).resolves({ Attendee: attendee(1, false) });
    chime.on(BatchUpdateAttendeeCapabilitiesExceptCommand).resolves({});
    const caps = {
      Audio: 'SendReceive' as const,
      Video: 'SendReceive' as const,
      Content: 'SendReceive' as const,
    };
    const up = await acts.updateAttendeeCapabilities({
      meetingId: MEETING_ID,
      attendeeId: 'att-1',
      capabilities: caps,
    });
    expect(up.attendeeId).toBe('att-1');
    await acts.batchUpdateAttendeeCapabilitiesExcept({
      meetingId: MEETING_ID,
      excludedAttendeeIds: ['att-1', 'att-2'],
      capabilities: { Audio: 'Receive', Video: 'Receive', Content: 'Receive' },
    });
    expect(chime.commandCalls(BatchUpdateAttendeeCapabilitiesExceptCommand)[0]?.args[0].input).toEqual({
      MeetingId: MEETING_ID,
      ExcludedAttendeeIds: [{ AttendeeId: 'att-1' }, { AttendeeId: 'att-2' }],
      Capabilities: { Audio: 'Receive', Video: 'Receive', Content: 'Receive' },
    });
  });
});

describe('transcription and tags', () => {
  it('start; stop → stopped true, then NotFound → stopped false', async () => {
    chime.on(StartMeetingTranscriptionCommand).resolves({});
    chime.on(StopMeetingTranscriptionCommand).resolvesOnce({}).rejectsOnce(notFound());
    await acts.startMeetingTranscription({
      meetingId: MEETING_ID,
      transcriptionConfiguration: { EngineTranscribeSettings: { LanguageCode: 'en-US' } },
    });
    expect(chime.commandCalls(StartMeetingTranscriptionCommand)).toHaveLength(1);
    expect(await acts.stopMeetingTranscription({ meetingId: MEETING_ID })).toEqual({ stopped: true });
    expect(await acts.stopMeetingTranscription({ meetingId: MEETING_ID })).toEqual({ stopped: false });
  });

  it('startMeetingTranscription on a missing meeting is a non-retryable NotFoundException', async () => {
    chime.on(StartMeetingTranscriptionCommand).rejects(notFound());
    await expect(
      acts.startMeetingTranscription({
        meetingId: MEETING_ID,
        transcriptionConfiguration: { EngineTranscribeSettings: { LanguageCode: 'en-US' } },
      }),
    ).rejects.toMatchObject({ type: 'NotFoundException', nonRetryable: true });
  });

  it('tag, untag, list tags; a missing resource is non-retryable ResourceNotFoundException', async () => {
    const arn = meeting.MeetingArn;
    chime.on(TagResourceCommand).resolves({});
    chime.on(UntagResourceCommand).resolves({});
    chime
      .on(ListTagsForResourceCommand)
      .resolvesOnce({ Tags: [{ Key: 'a', Value: '1' }] })
      .rejectsOnce(new ResourceNotFoundException({ message: 'no arn', $metadata: { httpStatusCode: 404 } }));
    await acts.tagResource({ resourceArn: arn, tags: [{ Key: 'a', Value: '1' }] });
    await acts.untagResource({ resourceArn: arn, tagKeys: ['b'] });
    expect(await acts.listTagsForResource({ resourceArn: arn })).toEqual([{ Key: 'a', Value: '1' }]);
    await expect(acts.listTagsForResource({ resourceArn: arn })).rejects.toMatchObject({
      type: 'ResourceNotFoundException',
      nonRetryable: true,
    });
    expect(chime.commandCalls(TagResourceCommand)[0]?.args[0].input).toEqual({
      ResourceARN: arn,
      Tags: [{ Key: 'a', Value: '1' }],
    });
    expect(chime.commandCalls(UntagResourceCommand)[0]?.args[0].input).toEqual({
      ResourceARN: arn,
      TagKeys: ['b'],
    });
  });
});

it('implements all 16 operations', () => {
  expect(Object.keys(acts).sort()).toEqual(
    [
      'batchCreateAttendee',
      'batchUpdateAttendeeCapabilitiesExcept',
      'createAttendee',
      'createMeeting',
      'createMeetingWithAttendees',
      'deleteAttendee',
      'deleteMeeting',
      'getAttendee',
      'getMeeting',
      'listAttendees',
      'listTagsForResource',
      'startMeetingTranscription',
      'stopMeetingTranscription',
      'tagResource',
      'untagResource',
      'updateAttendeeCapabilities',
    ].sort(),
  );
});
