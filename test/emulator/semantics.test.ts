import {
  BadRequestException,
  BatchCreateAttendeeCommand,
  type ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  CreateMeetingWithAttendeesCommand,
  DeleteAttendeeCommand,
  DeleteMeetingCommand,
  GetAttendeeCommand,
  GetMeetingCommand,
  LimitExceededException,
  ListAttendeesCommand,
  ListTagsForResourceCommand,
  NotFoundException,
  ResourceNotFoundException,
  StartMeetingTranscriptionCommand,
  StopMeetingTranscriptionCommand,
  type Attendee,
} from '@aws-sdk/client-chime-sdk-meetings';
import type { RunningEmulator } from '../../emulator';
import { clientFor, createMeeting, rejection, startTestEmulator } from './helpers';

let emu: RunningEmulator;
let client: ChimeSDKMeetingsClient;
let west: ChimeSDKMeetingsClient;

beforeAll(async () => {
  emu = await startTestEmulator();
  client = clientFor(emu, 'us-east-1');
  west = clientFor(emu, 'us-west-2');
});
afterAll(async () => {
  client.destroy();
  west.destroy();
  await emu.close();
});
beforeEach(() => {
  emu.reset();
  emu.configure({ limits: { attendeesPerMeeting: 250, replicasPerPrimary: 4, concurrentMeetings: 250 } });
});

async function fill(meetingId: string, count: number, prefix = 'user'): Promise<Attendee[]> {
  const out: Attendee[] = [];
  for (let start = 0; start < count; start += 100) {
    const items = Array.from({ length: Math.min(100, count - start) }, (_, i) => ({
      ExternalUserId: `${prefix}-${start + i}`,
    }));
    const res = await client.send(new BatchCreateAttendeeCommand({ MeetingId: meetingId, Attendees: items }));
    expect(res.Errors).toEqual([]);
    out.push(...(res.Attendees ?? []));
  }
  return out;
}

describe('idempotency', () => {
  it('CreateMeeting with the same ClientRequestToken returns the same meeting and creates it once', async () => {
    const a = await createMeeting(client, { ClientRequestToken: 'same-token', ExternalMeetingId: 'idem' });
    const b = await createMeeting(client, { ClientRequestToken: 'same-token', ExternalMeetingId: 'idem' });
    expect(b).toEqual(a);
    expect(emu.state().totals.meetingsCreated).toBe(1);
  });

  it('a token whose meeting has ended creates a new meeting', async () => {
    const a = await createMeeting(client, { ClientRequestToken: 'reused-token', ExternalMeetingId: 'idem' });
    await client.send(new DeleteMeetingCommand({ MeetingId: a.MeetingId }));
    const b = await createMeeting(client, { ClientRequestToken: 'reused-token', ExternalMeetingId: 'idem' });
    expect(b.MeetingId).not.toBe(a.MeetingId);
    expect(emu.state().totals.meetingsCreated).toBe(2);
  });

  it('the same token in another control Region is another meeting', async () => {
    const a = await createMeeting(client, { ClientRequestToken: 'region-token', ExternalMeetingId: 'idem' });
    const b = await createMeeting(west, { ClientRequestToken: 'region-token', ExternalMeetingId: 'idem' });
    expect(b.MeetingId).not.toBe(a.MeetingId);
  });

  it('CreateAttendee with an existing ExternalUserId returns the existing attendee and creates nothing', async () => {
    const m = await createMeeting(client);
    const first = await client.send(
      new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'alice' }),
    );
    const again = await client.send(
      new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'alice' }),
    );
    expect(again.Attendee).toEqual(first.Attendee);
    expect(emu.state().totals.attendeesCreated).toBe(1);
  });

  it('BatchCreateAttendee returns existing attendees for known ExternalUserIds and creates only the new ones', async () => {
    const m = await createMeeting(client);
    const first = await client.send(
      new BatchCreateAttendeeCommand({
        MeetingId: m.MeetingId,
        Attendees: [{ ExternalUserId: 'a1' }, { ExternalUserId: 'a2' }],
      }),
    );
    const second = await client.send(
      new BatchCreateAttendeeCommand({
        MeetingId: m.MeetingId,
        Attendees: [{ ExternalUserId: 'a2' }, { ExternalUserId: 'a3' }, { ExternalUserId: 'a3' }],
      }),
    );
    expect(second.Attendees?.map((a) => a.ExternalUserId)).toEqual(['a2', 'a3']);
    expect(second.Attendees?.[0]).toEqual(first.Attendees?.[1]);
    expect(emu.state().totals.attendeesCreated).toBe(3);
  });

  it('CreateMeetingWithAttendees retried with the same token returns the same meeting and attendees', async () => {
    const input = {
      ClientRequestToken: 'cmwa-retry',
      MediaRegion: 'eu-west-1',
      ExternalMeetingId: 'retry',
      Attendees: [{ ExternalUserId: 'h1' }, { ExternalUserId: 'h2' }],
    };
    const a = await client.send(new CreateMeetingWithAttendeesCommand(input));
    const b = await client.send(new CreateMeetingWithAttendeesCommand(input));
    expect(b.Meeting).toEqual(a.Meeting);
    expect(b.Attendees).toEqual(a.Attendees);
    expect(emu.state().totals).toMatchObject({ meetingsCreated: 1, attendeesCreated: 2 });
  });
  it('20 concurrent CreateMeeting calls with one token and 300 concurrent new attendees stay consistent', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        createMeeting(client, { ClientRequestToken: 'race-token', ExternalMeetingId: 'race' }),
      ),
    );
    expect(new Set(results.map((m) => m.MeetingId)).size).toBe(1);
    const meetingId = results[0]!.MeetingId!;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 300 }, (_, i) =>
        client.send(new CreateAttendeeCommand({ MeetingId: meetingId, ExternalUserId: `racer-${i % 260}` })),
      ),
    );
    const ok = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter(
      (o) => o.status === 'rejected' && o.reason instanceof LimitExceededException,
    );
    expect(ok.length + refused.length).toBe(300);
    expect(emu.state().totals).toMatchObject({ meetingsCreated: 1, attendeesCreated: 250 });
    expect(emu.state().meetings[0]?.attendees).toBe(250);
  });
});

describe('attendee limit and paging', () => {
  it('ListAttendees pages 250 attendees with MaxResults and NextToken, each exactly once, in creation order', async () => {
    const m = await createMeeting(client);
    const created = await fill(m.MeetingId!, 250);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(
        new ListAttendeesCommand({ MeetingId: m.MeetingId, MaxResults: 60, NextToken: token }),
      );
      expect(page.Attendees!.length).toBeLessThanOrEqual(60);
      seen.push(...page.Attendees!.map((a) => a.AttendeeId!));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(5);
    expect(seen).toEqual(created.map((a) => a.AttendeeId));
  });

  it('ListAttendees without MaxResults returns pages of 10; a deleted attendee does not break the next page', async () => {
    const m = await createMeeting(client);
    const created = await fill(m.MeetingId!, 25);
    const first = await client.send(new ListAttendeesCommand({ MeetingId: m.MeetingId }));
    expect(first.Attendees).toHaveLength(10);
    await client.send(
      new DeleteAttendeeCommand({ MeetingId: m.MeetingId, AttendeeId: created[9]!.AttendeeId }),
    );
    await client.send(
      new DeleteAttendeeCommand({ MeetingId: m.MeetingId, AttendeeId: created[10]!.AttendeeId }),
    );
    const second = await client.send(
      new ListAttendeesCommand({ MeetingId: m.MeetingId, NextToken: first.NextToken }),
    );
    expect(second.Attendees?.[0]?.AttendeeId).toBe(created[11]!.AttendeeId);
  });

  it('a NextToken from another meeting or a made-up one is a BadRequest', async () => {
    const m1 = await createMeeting(client);
    const m2 = await createMeeting(client);
    await fill(m1.MeetingId!, 3);
    const page = await client.send(new ListAttendeesCommand({ MeetingId: m1.MeetingId, MaxResults: 1 }));
    for (const NextToken of [page.NextToken, 'garbage']) {
      const err = await rejection(
        client.send(new ListAttendeesCommand({ MeetingId: m2.MeetingId, NextToken })),
      );
      expect(err).toBeInstanceOf(BadRequestException);
    }
  });

  it('the 251st attendee is refused with LimitExceeded; deleting one frees its seat', async () => {
    const m = await createMeeting(client);
    const created = await fill(m.MeetingId!, 250);
    const err = await rejection(
      client.send(new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'late' })),
    );
    expect(err).toBeInstanceOf(LimitExceededException);
    // An existing ExternalUserId is still answered idempotently when the meeting is full.
    const existing = await client.send(
      new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'user-0' }),
    );
    expect(existing.Attendee?.AttendeeId).toBe(created[0]!.AttendeeId);
    await client.send(
      new DeleteAttendeeCommand({ MeetingId: m.MeetingId, AttendeeId: created[5]!.AttendeeId }),
    );
    const late = await client.send(
      new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'late' }),
    );
    expect(late.Attendee?.ExternalUserId).toBe('late');
  });

  it('BatchCreateAttendee past the limit reports every refused attendee in Errors, none silently dropped', async () => {
    const m = await createMeeting(client);
    await fill(m.MeetingId!, 240);
    const items = Array.from({ length: 15 }, (_, i) => ({ ExternalUserId: `extra-${i}` }));
    const res = await client.send(
      new BatchCreateAttendeeCommand({ MeetingId: m.MeetingId, Attendees: items }),
    );
    expect(res.Attendees?.map((a) => a.ExternalUserId)).toEqual(
      items.slice(0, 10).map((i) => i.ExternalUserId),
    );
    expect(res.Errors?.map((e) => e.ExternalUserId)).toEqual(items.slice(10).map((i) => i.ExternalUserId));
    expect(res.Errors?.every((e) => e.ErrorCode === 'LimitExceeded' && !!e.ErrorMessage)).toBe(true);
    expect(emu.state().meetings[0]?.attendees).toBe(250);
  });

  it('MeetingFeatures Attendee MaxCount lowers the seat limit of that meeting', async () => {
    const m = await createMeeting(client, { MeetingFeatures: { Attendee: { MaxCount: 2 } } });
    await fill(m.MeetingId!, 2);
    const err = await rejection(
      client.send(new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'third' })),
    );
    expect(err).toBeInstanceOf(LimitExceededException);
  });
});

describe('replicas and control Regions', () => {
  it('a replica names its primary; a replica of a replica and an unknown primary are BadRequest', async () => {
    const primary = await createMeeting(client, { MediaRegion: 'us-east-1' });
    const replica = await createMeeting(client, {
      MediaRegion: 'eu-west-1',
      PrimaryMeetingId: primary.MeetingId,
    });
    expect(replica.PrimaryMeetingId).toBe(primary.MeetingId);
    expect(emu.state().meetings.map((m) => m.role)).toEqual(['primary', 'replica']);
    const chained = await rejection(createMeeting(client, { PrimaryMeetingId: replica.MeetingId }));
    expect(chained).toBeInstanceOf(BadRequestException);
    expect(chained.message).toContain('replica cannot be a primary');
    const unknown = await rejection(
      createMeeting(client, { PrimaryMeetingId: '11111111-1111-1111-1111-111111111111' }),
    );
    expect(unknown).toBeInstanceOf(BadRequestException);
  });

  it('replicas per primary are limited (default 4, configurable up to 40) with LimitExceeded', async () => {
    const primary = await createMeeting(client);
    for (let i = 0; i < 4; i++) await createMeeting(client, { PrimaryMeetingId: primary.MeetingId });
    const err = await rejection(createMeeting(client, { PrimaryMeetingId: primary.MeetingId }));
    expect(err).toBeInstanceOf(LimitExceededException);
    emu.configure({ limits: { replicasPerPrimary: 5 } });
    await createMeeting(client, { PrimaryMeetingId: primary.MeetingId });
    expect(() => emu.configure({ limits: { replicasPerPrimary: 41 } })).toThrow(/replicasPerPrimary/);
  });

  it('deleting a primary deletes its replicas', async () => {
    const primary = await createMeeting(client);
    const r1 = await createMeeting(client, { PrimaryMeetingId: primary.MeetingId });
    const r2 = await createMeeting(client, { PrimaryMeetingId: primary.MeetingId });
    await client.send(new DeleteMeetingCommand({ MeetingId: primary.MeetingId }));
    for (const r of [r1, r2]) {
      const err = await rejection(client.send(new GetMeetingCommand({ MeetingId: r.MeetingId })));
      expect(err).toBeInstanceOf(NotFoundException);
    }
    expect(emu.state().totals.meetingsEnded).toBe(3);
  });

  it('deleting a replica frees a replica slot of its primary', async () => {
    emu.configure({ limits: { replicasPerPrimary: 1 } });
    const primary = await createMeeting(client);
    const r1 = await createMeeting(client, { PrimaryMeetingId: primary.MeetingId });
    await client.send(new DeleteMeetingCommand({ MeetingId: r1.MeetingId }));
    await createMeeting(client, { PrimaryMeetingId: primary.MeetingId });
  });

  it('a meeting is invisible through another control Region: NotFound, BadRequest as primary, ResourceNotFound for tags', async () => {
    const m = await createMeeting(client);
    const a = await client.send(
      new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'east-user' }),
    );
    expect(await rejection(west.send(new GetMeetingCommand({ MeetingId: m.MeetingId })))).toBeInstanceOf(
      NotFoundException,
    );
    expect(
      await rejection(
        west.send(new GetAttendeeCommand({ MeetingId: m.MeetingId, AttendeeId: a.Attendee!.AttendeeId })),
      ),
    ).toBeInstanceOf(NotFoundException);
    expect(await rejection(west.send(new DeleteMeetingCommand({ MeetingId: m.MeetingId })))).toBeInstanceOf(
      NotFoundException,
    );
    expect(await rejection(createMeeting(west, { PrimaryMeetingId: m.MeetingId }))).toBeInstanceOf(
      BadRequestException,
    );
    expect(
      await rejection(west.send(new ListTagsForResourceCommand({ ResourceARN: m.MeetingArn }))),
    ).toBeInstanceOf(ResourceNotFoundException);
    await client.send(new GetMeetingCommand({ MeetingId: m.MeetingId }));
  });

  it('concurrent meetings per control Region are limited with LimitExceeded, independently per Region', async () => {
    emu.configure({ limits: { concurrentMeetings: 2 } });
    const first = await createMeeting(client);
    await createMeeting(client);
    expect(await rejection(createMeeting(client))).toBeInstanceOf(LimitExceededException);
    await createMeeting(west);
    await client.send(new DeleteMeetingCommand({ MeetingId: first.MeetingId }));
    await createMeeting(client);
  });
});

describe('transcription state', () => {
  const settings = { EngineTranscribeSettings: { LanguageCode: 'en-US' as const } };

  it('starting twice is a BadRequest; stop then start again works', async () => {
    const m = await createMeeting(client);
    await client.send(
      new StartMeetingTranscriptionCommand({ MeetingId: m.MeetingId, TranscriptionConfiguration: settings }),
    );
    const err = await rejection(
      client.send(
        new StartMeetingTranscriptionCommand({
          MeetingId: m.MeetingId,
          TranscriptionConfiguration: settings,
        }),
      ),
    );
    expect(err).toBeInstanceOf(BadRequestException);
    expect(err.message).toContain('already started');
    await client.send(new StopMeetingTranscriptionCommand({ MeetingId: m.MeetingId }));
    await client.send(
      new StartMeetingTranscriptionCommand({ MeetingId: m.MeetingId, TranscriptionConfiguration: settings }),
    );
    expect(emu.state().meetings[0]?.transcription).toBe('ON');
  });

  it('stopping when not started succeeds (idempotent); stopping on an unknown meeting is NotFound', async () => {
    const m = await createMeeting(client);
    const out = await client.send(new StopMeetingTranscriptionCommand({ MeetingId: m.MeetingId }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    const err = await rejection(
      client.send(new StopMeetingTranscriptionCommand({ MeetingId: '11111111-1111-1111-1111-111111111111' })),
    );
    expect(err).toBeInstanceOf(NotFoundException);
  });
});
