import {
  BadRequestException,
  BatchCreateAttendeeCommand,
  BatchUpdateAttendeeCapabilitiesExceptCommand,
  type ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  CreateMeetingWithAttendeesCommand,
  ListAttendeesCommand,
  StartMeetingTranscriptionCommand,
  TagResourceCommand,
  type TranscriptionConfiguration,
} from '@aws-sdk/client-chime-sdk-meetings';
import type { RunningEmulator } from '../../emulator';
import { MEDIA_REGIONS } from '../../emulator';
import { createMeeting, rejection, useTestEmulator } from './helpers';

const testEmulator = useTestEmulator();
let emu: RunningEmulator;
let client: ChimeSDKMeetingsClient;
beforeEach(() => ({ emu, client } = testEmulator()));

async function badRequest(p: Promise<unknown>, messagePart?: string): Promise<void> {
  const err = await rejection(p);
  expect(err).toBeInstanceOf(BadRequestException);
  if (messagePart) expect(err.message).toContain(messagePart);
}

describe('CreateMeeting input validation (nothing is created on a rejected call)', () => {
  afterEach(() => expect(emu.state().totals.meetingsCreated).toBe(0));

  it.each([
    ['too short', 'a', 'have length greater than or equal to 2'],
    ['too long', 'x'.repeat(65), 'have length less than or equal to 64'],
    ['outside the pattern', 'bad<id>', 'satisfy regular expression pattern'],
    ['with the reserved aws: prefix', 'aws:meeting', "reserved prefix 'aws:'"],
    ['with the reserved prefix in another case', 'AWS:meeting', "reserved prefix 'aws:'"],
  ])('rejects an ExternalMeetingId %s', async (_, value, message) => {
    await badRequest(createMeeting(client, { ExternalMeetingId: value }), message);
  });

  it('accepts every documented MediaRegion including GovCloud, and rejects others', async () => {
    for (const region of MEDIA_REGIONS) {
      const m = await createMeeting(client, { MediaRegion: region });
      expect(m.MediaRegion).toBe(region);
    }
    emu.reset();
    await badRequest(createMeeting(client, { MediaRegion: 'mars-north-1' }), 'satisfy enum value set');
  });

  it.each([
    ['too short', 'a'],
    ['with a character outside [-_a-zA-Z0-9]', 'token with spaces'],
    ['too long', 't'.repeat(65)],
  ])('rejects a ClientRequestToken %s', async (_, token) => {
    await badRequest(createMeeting(client, { ClientRequestToken: token }), "at 'clientRequestToken'");
  });

  it('rejects TenantIds that are empty, more than 5, or repeat a character 4 times', async () => {
    await badRequest(createMeeting(client, { TenantIds: [] }), "at 'tenantIds'");
    await badRequest(
      createMeeting(client, { TenantIds: ['a1', 'b1', 'c1', 'd1', 'e1', 'f1'] }),
      "at 'tenantIds'",
    );
    await badRequest(createMeeting(client, { TenantIds: ['aaaa-tenant'] }), "at 'tenantIds.1.member'");
  });

  it('rejects more than 50 tags, duplicate keys, keys outside the pattern and aws: keys', async () => {
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await badRequest(createMeeting(client, { Tags: many }), 'have length less than or equal to 50');
    await badRequest(
      createMeeting(client, {
        Tags: [
          { Key: 'dup', Value: '1' },
          { Key: 'dup', Value: '2' },
        ],
      }),
      'Duplicate tag key',
    );
    await badRequest(
      createMeeting(client, { Tags: [{ Key: 'bad key!', Value: 'v' }] }),
      "at 'tags.1.member.key'",
    );
    await badRequest(
      createMeeting(client, { Tags: [{ Key: 'aws:owner', Value: 'v' }] }),
      'reserved prefix aws:',
    );
  });

  it('rejects MeetingFeatures enums and Attendee MaxCount outside 1-250, reporting every error at once', async () => {
    const err = await rejection(
      createMeeting(client, {
        MeetingFeatures: {
          Video: { MaxResolution: 'UHD' as never },
          Attendee: { MaxCount: 251 },
        },
      }),
    );
    expect(err).toBeInstanceOf(BadRequestException);
    expect(err.message).toMatch(/^2 validation errors detected/);
    expect(err.message).toContain("at 'meetingFeatures.video.maxResolution'");
    expect(err.message).toContain("at 'meetingFeatures.attendee.maxCount'");
  });

  // Behaviour change: the model allows 20, the service takes at most 10 (its throttling guide: "up to 10").
  it('rejects CreateMeetingWithAttendees with 0 or more than 10 attendees (the service, stricter than the model)', async () => {
    const base = { ClientRequestToken: 'cmwa-bounds', MediaRegion: 'us-east-1', ExternalMeetingId: 'bounds' };
    await badRequest(
      client.send(new CreateMeetingWithAttendeesCommand({ ...base, Attendees: [] })),
      "at 'attendees'",
    );
    for (const count of [11, 20, 21]) {
      const attendees = Array.from({ length: count }, (_, i) => ({ ExternalUserId: `user-${i}` }));
      await badRequest(
        client.send(new CreateMeetingWithAttendeesCommand({ ...base, Attendees: attendees })),
        `Value '[${count} items]' at 'attendees' failed to satisfy constraint: Member must have length less than or equal to 10`,
      );
    }
  });

  it('rejects CreateMeetingWithAttendees with a bad capability before creating the meeting', async () => {
    await badRequest(
      client.send(
        new CreateMeetingWithAttendeesCommand({
          ClientRequestToken: 'cmwa-caps',
          MediaRegion: 'us-east-1',
          ExternalMeetingId: 'caps',
          MeetingFeatures: { Video: { MaxResolution: 'None' } },
          Attendees: [
            {
              ExternalUserId: 'u1',
              Capabilities: { Audio: 'SendReceive', Video: 'Receive', Content: 'None' },
            },
          ],
        }),
      ),
      'MaxResolution is None',
    );
  });
});

describe('attendee input validation', () => {
  it('rejects bad ExternalUserIds (length, pattern, aws: prefix in any case) and creates nobody', async () => {
    const m = await createMeeting(client);
    for (const id of ['x', 'y'.repeat(65), 'semi;colon', 'Aws:user', 'aws:user']) {
      await badRequest(
        client.send(new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: id })),
      );
    }
    expect(emu.state().totals.attendeesCreated).toBe(0);
  });

  it('accepts ExternalUserIds using the documented special and accented characters', async () => {
    const m = await createMeeting(client);
    const id = `Zoë «guest» [a/b] {x} (1) +=,.:|'"#&@ Ünïcödé`;
    const out = await client.send(new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: id }));
    expect(out.Attendee?.ExternalUserId).toBe(id);
  });

  it('rejects a BatchCreateAttendee with 0 or 101 attendees', async () => {
    const m = await createMeeting(client);
    await badRequest(client.send(new BatchCreateAttendeeCommand({ MeetingId: m.MeetingId, Attendees: [] })));
    const attendees = Array.from({ length: 101 }, (_, i) => ({ ExternalUserId: `user-${i}` }));
    await badRequest(
      client.send(new BatchCreateAttendeeCommand({ MeetingId: m.MeetingId, Attendees: attendees })),
      'have length less than or equal to 100',
    );
    expect(emu.state().totals.attendeesCreated).toBe(0);
  });

  it('rejects ExcludedAttendeeIds lists of 0 or 251 entries and non-UUID ids', async () => {
    const m = await createMeeting(client);
    const caps = { Audio: 'Receive', Video: 'None', Content: 'None' } as const;
    await badRequest(
      client.send(
        new BatchUpdateAttendeeCapabilitiesExceptCommand({
          MeetingId: m.MeetingId,
          ExcludedAttendeeIds: [],
          Capabilities: caps,
        }),
      ),
    );
    const ids = Array.from({ length: 251 }, () => ({ AttendeeId: '11111111-1111-1111-1111-111111111111' }));
    await badRequest(
      client.send(
        new BatchUpdateAttendeeCapabilitiesExceptCommand({
          MeetingId: m.MeetingId,
          ExcludedAttendeeIds: ids,
          Capabilities: caps,
        }),
      ),
      'have length less than or equal to 250',
    );
    await badRequest(
      client.send(
        new BatchUpdateAttendeeCapabilitiesExceptCommand({
          MeetingId: m.MeetingId,
          ExcludedAttendeeIds: [{ AttendeeId: 'nope' }],
          Capabilities: caps,
        }),
      ),
      "at 'excludedAttendeeIds.1.member.attendeeId'",
    );
  });

  it('rejects ListAttendees MaxResults of 0 and 101', async () => {
    const m = await createMeeting(client);
    await badRequest(
      client.send(new ListAttendeesCommand({ MeetingId: m.MeetingId, MaxResults: 0 })),
      "'maxResults'",
    );
    await badRequest(
      client.send(new ListAttendeesCommand({ MeetingId: m.MeetingId, MaxResults: 101 })),
      "'maxResults'",
    );
  });

  it('rejects Content SendReceive/Receive without Video at least Receive, but allows Content Send', async () => {
    const m = await createMeeting(client);
    for (const Content of ['SendReceive', 'Receive'] as const) {
      await badRequest(
        client.send(
          new CreateAttendeeCommand({
            MeetingId: m.MeetingId,
            ExternalUserId: `c-${Content}`,
            Capabilities: { Audio: 'SendReceive', Video: 'Send', Content },
          }),
        ),
        'requires a Video capability',
      );
    }
    const ok = await client.send(
      new CreateAttendeeCommand({
        MeetingId: m.MeetingId,
        ExternalUserId: 'content-send',
        Capabilities: { Audio: 'SendReceive', Video: 'None', Content: 'Send' },
      }),
    );
    expect(ok.Attendee?.Capabilities?.Content).toBe('Send');
  });

  it('rejects Video or Content capabilities other than None when the meeting MaxResolution is None', async () => {
    const m = await createMeeting(client, {
      MeetingFeatures: { Video: { MaxResolution: 'None' }, Content: { MaxResolution: 'None' } },
    });
    await badRequest(
      client.send(
        new CreateAttendeeCommand({
          MeetingId: m.MeetingId,
          ExternalUserId: 'video-user',
          Capabilities: { Audio: 'SendReceive', Video: 'Receive', Content: 'None' },
        }),
      ),
      'Video MaxResolution is None',
    );
    await badRequest(
      client.send(
        new CreateAttendeeCommand({
          MeetingId: m.MeetingId,
          ExternalUserId: 'content-user',
          Capabilities: { Audio: 'SendReceive', Video: 'None', Content: 'Send' },
        }),
      ),
      'Content MaxResolution is None',
    );
    const dflt = await client.send(
      new CreateAttendeeCommand({ MeetingId: m.MeetingId, ExternalUserId: 'default' }),
    );
    expect(dflt.Attendee?.Capabilities).toEqual({ Audio: 'SendReceive', Video: 'None', Content: 'None' });
  });

  it('rejects a tag value outside the pattern on TagResource', async () => {
    const m = await createMeeting(client);
    await badRequest(
      client.send(
        new TagResourceCommand({ ResourceARN: m.MeetingArn, Tags: [{ Key: 'k', Value: 'bad%value' }] }),
      ),
      "at 'tags.1.member.value'",
    );
  });
});

describe('TranscriptionConfiguration rules', () => {
  const cases: Array<[string, TranscriptionConfiguration, string]> = [
    ['no engine', {}, 'exactly one of'],
    [
      'both engines',
      {
        EngineTranscribeSettings: { LanguageCode: 'en-US' },
        EngineTranscribeMedicalSettings: {
          LanguageCode: 'en-US',
          Specialty: 'PRIMARYCARE',
          Type: 'DICTATION',
        },
      },
      'exactly one of',
    ],
    [
      'identification and redaction together',
      {
        EngineTranscribeSettings: {
          LanguageCode: 'en-US',
          ContentIdentificationType: 'PII',
          ContentRedactionType: 'PII',
        },
      },
      'cannot be used together',
    ],
    [
      'an unknown language code',
      { EngineTranscribeSettings: { LanguageCode: 'xx-XX' as never } },
      'enum value set',
    ],
    [
      'LanguageCode and IdentifyLanguage together',
      {
        EngineTranscribeSettings: {
          LanguageCode: 'en-US',
          IdentifyLanguage: true,
          LanguageOptions: 'en-US,de-DE',
        },
      },
      'cannot be used together',
    ],
    [
      'neither LanguageCode nor IdentifyLanguage',
      { EngineTranscribeSettings: { Region: 'auto' } },
      'either LanguageCode',
    ],
    [
      'a medical engine without Specialty',
      { EngineTranscribeMedicalSettings: { LanguageCode: 'en-US', Type: 'DICTATION' } as never },
      "at 'transcriptionConfiguration.engineTranscribeMedicalSettings.specialty'",
    ],
    [
      'PartialResultsStability without stabilization',
      { EngineTranscribeSettings: { LanguageCode: 'en-US', PartialResultsStability: 'high' } },
      'requires EnablePartialResultsStabilization',
    ],
  ];

  it.each(cases)('rejects %s with BadRequest', async (_, config, message) => {
    const m = await createMeeting(client);
    await badRequest(
      client.send(
        new StartMeetingTranscriptionCommand({ MeetingId: m.MeetingId, TranscriptionConfiguration: config }),
      ),
      message,
    );
    expect(emu.state().meetings[0]?.transcription).toBe('OFF');
  });

  it('accepts a medical engine and automatic language identification', async () => {
    const m1 = await createMeeting(client);
    await client.send(
      new StartMeetingTranscriptionCommand({
        MeetingId: m1.MeetingId,
        TranscriptionConfiguration: {
          EngineTranscribeMedicalSettings: {
            LanguageCode: 'en-US',
            Specialty: 'CARDIOLOGY',
            Type: 'CONVERSATION',
          },
        },
      }),
    );
    const m2 = await createMeeting(client);
    await client.send(
      new StartMeetingTranscriptionCommand({
        MeetingId: m2.MeetingId,
        TranscriptionConfiguration: {
          EngineTranscribeSettings: {
            IdentifyLanguage: true,
            LanguageOptions: 'en-US,fr-FR',
            PreferredLanguage: 'fr-FR',
          },
        },
      }),
    );
    expect(emu.state().meetings.map((m) => m.transcription)).toEqual(['ON', 'ON']);
  });
});
