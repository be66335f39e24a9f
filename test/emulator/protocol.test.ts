import {
  BadRequestException,
  BatchCreateAttendeeCommand,
  BatchUpdateAttendeeCapabilitiesExceptCommand,
  type ChimeSDKMeetingsClient,
  ConflictException,
  CreateAttendeeCommand,
  CreateMeetingCommand,
  CreateMeetingWithAttendeesCommand,
  DeleteAttendeeCommand,
  DeleteMeetingCommand,
  ForbiddenException,
  GetAttendeeCommand,
  GetMeetingCommand,
  LimitExceededException,
  ListAttendeesCommand,
  ListTagsForResourceCommand,
  NotFoundException,
  ResourceNotFoundException,
  ServiceFailureException,
  ServiceUnavailableException,
  StartMeetingTranscriptionCommand,
  StopMeetingTranscriptionCommand,
  TagResourceCommand,
  ThrottlingException,
  TooManyTagsException,
  UnauthorizedException,
  UnprocessableEntityException,
  UntagResourceCommand,
  UpdateAttendeeCapabilitiesCommand,
} from '@aws-sdk/client-chime-sdk-meetings';
import type { RunningEmulator } from '../../emulator';
import { authHeader, clientFor, createMeeting, rejection, UUID, useTestEmulator } from './helpers';

const testEmulator = useTestEmulator();
let emu: RunningEmulator;
let client: ChimeSDKMeetingsClient;
beforeEach(() => ({ emu, client } = testEmulator()));

describe('every operation through the real SDK client', () => {
  it('CreateMeeting returns a Meeting with UUID id, ARN in the control Region and MediaPlacement for the MediaRegion', async () => {
    const out = await client.send(
      new CreateMeetingCommand({
        ClientRequestToken: 'token-create-1',
        MediaRegion: 'eu-central-1',
        ExternalMeetingId: 'Webinar #1 (test)',
        MeetingFeatures: { Audio: { EchoReduction: 'AVAILABLE' }, Video: { MaxResolution: 'FHD' } },
        TenantIds: ['tenant-a'],
        Tags: [{ Key: 'team', Value: 'webinars' }],
      }),
    );
    expect(out.$metadata.httpStatusCode).toBe(200);
    const m = out.Meeting!;
    expect(m.MeetingId).toMatch(UUID);
    expect(m.MeetingArn).toBe(`arn:aws:chime:us-east-1:123456789012:meeting/${m.MeetingId}`);
    expect(m.MediaRegion).toBe('eu-central-1');
    expect(m.ExternalMeetingId).toBe('Webinar #1 (test)');
    expect(m.MeetingFeatures).toEqual({
      Audio: { EchoReduction: 'AVAILABLE' },
      Video: { MaxResolution: 'FHD' },
    });
    expect(m.TenantIds).toEqual(['tenant-a']);
    expect(m.PrimaryMeetingId).toBeUndefined();
    const p = m.MediaPlacement!;
    for (const url of [
      p.AudioFallbackUrl,
      p.SignalingUrl,
      p.ScreenDataUrl,
      p.ScreenSharingUrl,
      p.ScreenViewingUrl,
    ]) {
      expect(url).toMatch(/^wss:\/\/.*\.ec1\.app\.chime\.aws/);
      expect(url).toContain(m.MeetingId);
    }
    expect(p.AudioHostUrl).toMatch(/\.ec1\.app\.chime\.aws:3478$/);
    expect(p.TurnControlUrl).toBe('https://2713.cell.eu-central-1.meetings.chime.aws/v2/turn_sessions');
    expect(p.EventIngestionUrl).toBe('https://data.svc.ec1.ingest.chime.aws/v1/client-events');
  });

  it('the meeting ARN uses the control Region of the credential scope, and the GovCloud partition there', async () => {
    const gov = clientFor(emu, 'us-gov-west-1');
    try {
      const m = await createMeeting(gov, { MediaRegion: 'us-gov-east-1' });
      expect(m.MeetingArn).toBe(`arn:aws-us-gov:chime:us-gov-west-1:123456789012:meeting/${m.MeetingId}`);
    } finally {
      gov.destroy();
    }
  });

  it('CreateMeetingWithAttendees creates meeting and attendees in one call with an empty Errors list', async () => {
    const out = await client.send(
      new CreateMeetingWithAttendeesCommand({
        ClientRequestToken: 'token-cmwa',
        MediaRegion: 'us-west-2',
        ExternalMeetingId: 'with-attendees',
        Attendees: [{ ExternalUserId: 'host-1' }, { ExternalUserId: 'speaker-1' }],
      }),
    );
    expect(out.Meeting?.MeetingId).toMatch(UUID);
    expect(out.Attendees?.map((a) => a.ExternalUserId)).toEqual(['host-1', 'speaker-1']);
    expect(out.Errors).toEqual([]);
    expect(emu.state().totals).toMatchObject({ meetingsCreated: 1, attendeesCreated: 2 });
  });

  it('CreateMeetingWithAttendees takes up to 10 attendees (the service limit; 11 is a BadRequest, see validation)', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `user-${i}`);
    const { Attendees, Errors } = await client.send(
      new CreateMeetingWithAttendeesCommand({
        ...{ ClientRequestToken: 'token-cmwa-10', MediaRegion: 'us-east-1', ExternalMeetingId: 'ten' },
        Attendees: ids.map((ExternalUserId) => ({ ExternalUserId })),
      }),
    );
    expect({ ids: Attendees?.map((a) => a.ExternalUserId), Errors }).toEqual({ ids, Errors: [] });
  });

  it('GetMeeting returns the same meeting; DeleteMeeting answers 204 and the meeting is then NotFound', async () => {
    const m = await createMeeting(client);
    const got = await client.send(new GetMeetingCommand({ MeetingId: m.MeetingId }));
    expect(got.Meeting).toEqual(m);
    const del = await client.send(new DeleteMeetingCommand({ MeetingId: m.MeetingId }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    const err = await rejection(client.send(new GetMeetingCommand({ MeetingId: m.MeetingId })));
    expect(err).toBeInstanceOf(NotFoundException);
  });

  it('CreateAttendee, GetAttendee, UpdateAttendeeCapabilities, DeleteAttendee (204) work with Capabilities and JoinToken', async () => {
    const m = await createMeeting(client);
    const created = await client.send(
      new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'viewer-1' }),
    );
    const a = created.Attendee!;
    expect(a.AttendeeId).toMatch(UUID);
    expect(a.JoinToken!.length).toBeGreaterThanOrEqual(2);
    expect(a.Capabilities).toEqual({ Audio: 'SendReceive', Video: 'SendReceive', Content: 'SendReceive' });
    const got = await client.send(
      new GetAttendeeCommand({ MeetingId: m.MeetingId, AttendeeId: a.AttendeeId }),
    );
    expect(got.Attendee).toEqual(a);
    const updated = await client.send(
      new UpdateAttendeeCapabilitiesCommand({
        MeetingId: m.MeetingId,
        AttendeeId: a.AttendeeId,
        Capabilities: { Audio: 'Receive', Video: 'Receive', Content: 'Receive' },
      }),
    );
    expect(updated.Attendee?.Capabilities).toEqual({
      Audio: 'Receive',
      Video: 'Receive',
      Content: 'Receive',
    });
    const del = await client.send(
      new DeleteAttendeeCommand({ MeetingId: m.MeetingId, AttendeeId: a.AttendeeId }),
    );
    expect(del.$metadata.httpStatusCode).toBe(204);
    const err = await rejection(
      client.send(new GetAttendeeCommand({ MeetingId: m.MeetingId, AttendeeId: a.AttendeeId })),
    );
    expect(err).toBeInstanceOf(NotFoundException);
  });

  it('BatchCreateAttendee and BatchUpdateAttendeeCapabilitiesExcept (200, empty body) update everyone but the excluded', async () => {
    const m = await createMeeting(client);
    const batch = await client.send(
      new BatchCreateAttendeeCommand({
        MeetingId: m.MeetingId,
        Attendees: [{ ExternalUserId: 'host' }, { ExternalUserId: 'v1' }, { ExternalUserId: 'v2' }],
      }),
    );
    expect(batch.Attendees).toHaveLength(3);
    expect(batch.Errors).toEqual([]);
    const host = batch.Attendees![0]!;
    const out = await client.send(
      new BatchUpdateAttendeeCapabilitiesExceptCommand({
        MeetingId: m.MeetingId,
        ExcludedAttendeeIds: [{ AttendeeId: host.AttendeeId }],
        Capabilities: { Audio: 'Receive', Video: 'None', Content: 'None' },
      }),
    );
    expect(out.$metadata.httpStatusCode).toBe(200);
    const list = await client.send(new ListAttendeesCommand({ MeetingId: m.MeetingId, MaxResults: 100 }));
    const caps = Object.fromEntries(
      list.Attendees!.map((a): [string, string | undefined] => [
        a.ExternalUserId ?? '',
        a.Capabilities?.Audio,
      ]),
    );
    expect(caps).toEqual({ host: 'SendReceive', v1: 'Receive', v2: 'Receive' });
  });

  it('Start/StopMeetingTranscription answer 200 and switch the transcription state seen by the admin API', async () => {
    const m = await createMeeting(client);
    const start = await client.send(
      new StartMeetingTranscriptionCommand({
        MeetingId: m.MeetingId,
        TranscriptionConfiguration: { EngineTranscribeSettings: { LanguageCode: 'en-US', Region: 'auto' } },
      }),
    );
    expect(start.$metadata.httpStatusCode).toBe(200);
    expect(emu.state().meetings[0]?.transcription).toBe('ON');
    const stop = await client.send(new StopMeetingTranscriptionCommand({ MeetingId: m.MeetingId }));
    expect(stop.$metadata.httpStatusCode).toBe(200);
    expect(emu.state().meetings[0]?.transcription).toBe('OFF');
  });

  it('TagResource (204), ListTagsForResource and UntagResource (204) manage tags on the meeting ARN', async () => {
    const m = await createMeeting(client, { Tags: [{ Key: 'a', Value: '1' }] });
    const tag = await client.send(
      new TagResourceCommand({
        ResourceARN: m.MeetingArn,
        Tags: [
          { Key: 'b', Value: '2' },
          { Key: 'a', Value: 'replaced' },
        ],
      }),
    );
    expect(tag.$metadata.httpStatusCode).toBe(204);
    const listed = await client.send(new ListTagsForResourceCommand({ ResourceARN: m.MeetingArn }));
    expect(listed.Tags).toEqual([
      { Key: 'a', Value: 'replaced' },
      { Key: 'b', Value: '2' },
    ]);
    const untag = await client.send(new UntagResourceCommand({ ResourceARN: m.MeetingArn, TagKeys: ['a'] }));
    expect(untag.$metadata.httpStatusCode).toBe(204);
    const after = await client.send(new ListTagsForResourceCommand({ ResourceARN: m.MeetingArn }));
    expect(after.Tags).toEqual([{ Key: 'b', Value: '2' }]);
  });
});

describe('every error class is deserialized by the SDK into its named exception', () => {
  const check = (
    err: Error & Record<string, unknown>,
    cls: new (...args: never[]) => Error,
    status: number,
  ): void => {
    expect(err).toBeInstanceOf(cls);
    expect(err.name).toBe(cls.name);
    expect((err.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(status);
    expect(typeof err.message).toBe('string');
    expect(err.RequestId).toMatch(UUID);
  };

  it('BadRequestException 400 (validation), with Code BadRequest', async () => {
    const err = await rejection(client.send(new GetMeetingCommand({ MeetingId: 'not-a-uuid' })));
    check(err, BadRequestException, 400);
    expect(err.Code).toBe('BadRequest');
    expect(err.message).toContain("at 'meetingId' failed to satisfy constraint");
  });

  it('LimitExceededException 400 (attendee seats)', async () => {
    emu.configure({ limits: { attendeesPerMeeting: 1 } });
    try {
      const m = await createMeeting(client);
      await client.send(new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'one' }));
      const err = await rejection(
        client.send(new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'two' })),
      );
      check(err, LimitExceededException, 400);
    } finally {
      emu.configure({ limits: { attendeesPerMeeting: 250 } });
    }
  });

  it('TooManyTagsException 400 with ResourceName', async () => {
    const m = await createMeeting(client, {
      Tags: Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })),
    });
    const err = await rejection(
      client.send(
        new TagResourceCommand({ ResourceARN: m.MeetingArn, Tags: [{ Key: 'one-more', Value: 'v' }] }),
      ),
    );
    check(err, TooManyTagsException, 400);
    expect(err.ResourceName).toBe(m.MeetingArn);
  });

  it('UnauthorizedException 401 for an Authorization header that is not SigV4', async () => {
    const bad = clientFor(emu);
    bad.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string> };
        request.headers.authorization = 'Basic dXNlcjpwYXNz';
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'breakAuth' },
    );
    try {
      const err = await rejection(
        bad.send(new GetMeetingCommand({ MeetingId: '11111111-1111-1111-1111-111111111111' })),
      );
      check(err, UnauthorizedException, 401);
    } finally {
      bad.destroy();
    }
  });

  it('ForbiddenException 403 for a request without Authorization header', async () => {
    const anon = clientFor(emu);
    anon.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string> };
        delete request.headers.authorization;
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'dropAuth' },
    );
    try {
      const err = await rejection(
        anon.send(new GetMeetingCommand({ MeetingId: '11111111-1111-1111-1111-111111111111' })),
      );
      check(err, ForbiddenException, 403);
      expect(err.message).toBe('Missing Authentication Token');
    } finally {
      anon.destroy();
    }
  });

  it('NotFoundException 404 for an unknown meeting', async () => {
    const err = await rejection(
      client.send(new GetMeetingCommand({ MeetingId: '11111111-1111-1111-1111-111111111111' })),
    );
    check(err, NotFoundException, 404);
  });

  it('ResourceNotFoundException 404 for tags of an unknown ARN', async () => {
    const arn = 'arn:aws:chime:us-east-1:123456789012:meeting/11111111-1111-1111-1111-111111111111';
    const err = await rejection(client.send(new ListTagsForResourceCommand({ ResourceARN: arn })));
    check(err, ResourceNotFoundException, 404);
    expect(err.ResourceName).toBe(arn);
  });

  it('ConflictException 409 when a ClientRequestToken is reused with different parameters', async () => {
    await createMeeting(client, { ClientRequestToken: 'conflict-token', ExternalMeetingId: 'first' });
    const err = await rejection(
      createMeeting(client, { ClientRequestToken: 'conflict-token', ExternalMeetingId: 'other' }),
    );
    check(err, ConflictException, 409);
  });

  it('UnprocessableEntityException 422 when transcription is started on a replica', async () => {
    const primary = await createMeeting(client);
    const replica = await createMeeting(client, { PrimaryMeetingId: primary.MeetingId });
    const err = await rejection(
      client.send(
        new StartMeetingTranscriptionCommand({
          MeetingId: replica.MeetingId,
          TranscriptionConfiguration: { EngineTranscribeSettings: { LanguageCode: 'en-US' } },
        }),
      ),
    );
    check(err, UnprocessableEntityException, 422);
  });

  it('ThrottlingException 429 once the bucket is empty', async () => {
    emu.configure({ rateLimits: { enabled: true, perOperation: { ratePerSecond: 0.001, burst: 1 } } });
    try {
      await rejection(
        client.send(new GetMeetingCommand({ MeetingId: '11111111-1111-1111-1111-111111111111' })),
      );
      const err = await rejection(
        client.send(new GetMeetingCommand({ MeetingId: '11111111-1111-1111-1111-111111111111' })),
      );
      check(err, ThrottlingException, 429);
    } finally {
      emu.configure({ rateLimits: { enabled: false, perOperation: { ratePerSecond: 10, burst: 20 } } });
    }
  });

  it('ServiceFailureException 500 and ServiceUnavailableException 503 (with RetryAfterSeconds) from fault injection', async () => {
    emu.configure({ faults: { operations: { GetMeeting: { serviceFailureRate: 1 } } } });
    const failure = await rejection(
      client.send(new GetMeetingCommand({ MeetingId: '11111111-1111-1111-1111-111111111111' })),
    );
    check(failure, ServiceFailureException, 500);
    emu.configure({
      faults: {
        operations: {
          GetMeeting: { serviceFailureRate: 0, serviceUnavailableRate: 1, retryAfterSeconds: 7 },
        },
      },
    });
    const unavailable = await rejection(
      client.send(new GetMeetingCommand({ MeetingId: '11111111-1111-1111-1111-111111111111' })),
    );
    check(unavailable, ServiceUnavailableException, 503);
    expect(unavailable.RetryAfterSeconds).toBe('7');
    emu.configure({ faults: { operations: { GetMeeting: null } } });
  });
});

describe('raw HTTP protocol details', () => {
  it('a 503 carries a Retry-After header in seconds, x-amzn-ErrorType and a JSON body with Code, Message, RequestId', async () => {
    emu.configure({ faults: { operations: { '*': { serviceUnavailableRate: 1, retryAfterSeconds: 3 } } } });
    try {
      const res = await fetch(`${emu.endpoint}/meetings/11111111-1111-1111-1111-111111111111`, {
        headers: { authorization: authHeader() },
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('3');
      expect(res.headers.get('x-amzn-errortype')).toBe('ServiceUnavailableException');
      const body = (await res.json()) as Record<string, unknown>;
      expect(body.Code).toBe('ServiceUnavailable');
      expect(typeof body.Message).toBe('string');
      expect(body.RequestId).toBe(res.headers.get('x-amzn-requestid'));
    } finally {
      emu.configure({ faults: { operations: { '*': null } } });
    }
  });

  it('operations without output answer with an empty body (204 for deletes, 200 for transcription stop)', async () => {
    const m = await createMeeting(client);
    const stop = await fetch(`${emu.endpoint}/meetings/${m.MeetingId}/transcription?operation=stop`, {
      method: 'POST',
      headers: { authorization: authHeader() },
    });
    expect(stop.status).toBe(200);
    expect(await stop.text()).toBe('');
    const del = await fetch(`${emu.endpoint}/meetings/${m.MeetingId}`, {
      method: 'DELETE',
      headers: { authorization: authHeader() },
    });
    expect(del.status).toBe(204);
    expect(await del.text()).toBe('');
  });

  it('the ClientRequestToken is required on the wire (the SDK fills it in, a raw call without it is a BadRequest)', async () => {
    const res = await fetch(`${emu.endpoint}/meetings`, {
      method: 'POST',
      headers: { authorization: authHeader(), 'content-type': 'application/json' },
      body: JSON.stringify({ MediaRegion: 'us-east-1', ExternalMeetingId: 'x1' }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { Message: string };
    expect(body.Message).toContain("Value null at 'clientRequestToken' failed to satisfy constraint");
  });

  it('a request without Authorization header is refused with 403 before anything else', async () => {
    const res = await fetch(`${emu.endpoint}/meetings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ClientRequestToken: 'tok-anon',
        MediaRegion: 'us-east-1',
        ExternalMeetingId: 'x1',
      }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
    expect(emu.state().totals.meetingsCreated).toBe(0);
  });

  it('an unknown path answers 404 UnknownOperationException; malformed JSON answers 400', async () => {
    const unknown = await fetch(`${emu.endpoint}/nothing-here`, { headers: { authorization: authHeader() } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    const broken = await fetch(`${emu.endpoint}/meetings`, {
      method: 'POST',
      headers: { authorization: authHeader() },
      body: '{not json',
    });
    expect(broken.status).toBe(400);
    expect(broken.headers.get('x-amzn-errortype')).toBe('BadRequestException');
  });
});
