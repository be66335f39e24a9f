import {
  validateAddAttendeesArgs,
  validateEndWebinarArgs,
  validateMuteAllExceptArgs,
  validateRemoveAttendeeArgs,
  validateRescheduleArgs,
  validateSpeakerArgs,
} from '../../domain/operator-action-table';
import {
  DEFAULT_MAX_REPLICAS,
  DEFAULT_PROVISION_LEAD_SECONDS,
  MAX_REPORTED_ERRORS,
} from '../../domain/limits';
import { validateAttendeeCapabilities } from '../../domain/validation/capabilities';
import {
  describeFieldErrors,
  formatFieldErrors,
  type FieldError,
  type Validated,
} from '../../domain/validation/fields';
import { parseIsoInstant, validateSchedule } from '../../domain/validation/schedule';
import { validateWebinarSpec } from '../../domain/validation/spec';
import {
  toTranscriptionConfiguration,
  validateTranscriptionSettings,
} from '../../domain/validation/transcription';

function spec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    webinarId: 'q3-all-hands',
    startAt: '2025-06-01T15:00:00Z',
    endAt: '2025-06-01T16:30:00Z',
    primaryRegion: 'us-east-1',
    attendees: [
      { externalUserId: 'host-1', role: 'host' },
      { externalUserId: 'viewer-1', role: 'viewer', region: 'eu-west-1' },
    ],
    ...overrides,
  };
}

function viewers(count: number, from = 0): { externalUserId: string; role: 'viewer' }[] {
  return Array.from({ length: count }, (_, i) => ({ externalUserId: `viewer-${from + i}`, role: 'viewer' }));
}

function errorsOf<T>(result: Validated<T>): FieldError[] {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.value)}`);
  return result.errors;
}

function fieldsOf<T>(result: Validated<T>): string[] {
  return errorsOf(result).map((error) => error.field);
}

type Case = [name: string, validate: (input: unknown) => Validated<unknown>, input: unknown, field: string];

const spec1 = (o: Record<string, unknown>) => spec(o);
const v = validateWebinarSpec;

const badInputs: Case[] = [
  // ---- webinar input: shape and types
  ['spec that is not an object', v, [], 'input'],
  ['spec that is null', v, null, 'input'],
  ['missing webinarId', v, spec1({ webinarId: undefined }), 'webinarId'],
  ['webinarId that is a number', v, spec1({ webinarId: 42 }), 'webinarId'],
  ['webinarId of 1 character', v, spec1({ webinarId: 'a' }), 'webinarId'],
  ['webinarId of 49 characters', v, spec1({ webinarId: 'a'.repeat(49) }), 'webinarId'],
  ['webinarId with a space', v, spec1({ webinarId: 'all hands' }), 'webinarId'],
  ['title of 65 characters', v, spec1({ title: 't'.repeat(65) }), 'title'],
  ['title starting with AWS: in any case', v, spec1({ title: 'AWS:launch' }), 'title'],
  ['title with a character outside the service pattern', v, spec1({ title: 'launch%day' }), 'title'],
  ['unknown top-level key', v, spec1({ speakers: [] }), 'speakers'],
  ['top-level key in the wrong case', v, spec1({ WebinarID: 'x' }), 'WebinarID'],
  // ---- schedule
  ['missing startAt', v, spec1({ startAt: undefined }), 'startAt'],
  ['startAt without a timezone', v, spec1({ startAt: '2025-06-01T15:00:00' }), 'startAt'],
  ['startAt that is a date only', v, spec1({ startAt: '2025-06-01' }), 'startAt'],
  ['startAt that is not a calendar date', v, spec1({ startAt: '2025-02-30T15:00:00Z' }), 'startAt'],
  ['startAt as epoch milliseconds', v, spec1({ startAt: 1748790000000 }), 'startAt'],
  ['endAt before startAt', v, spec1({ endAt: '2025-06-01T14:00:00Z' }), 'endAt'],
  ['endAt equal to startAt in another offset', v, spec1({ endAt: '2025-06-01T17:00:00+02:00' }), 'endAt'],
  ['endAt more than 24 h after startAt', v, spec1({ endAt: '2025-06-02T15:00:01Z' }), 'endAt'],
  // ---- Regions
  ['missing primaryRegion', v, spec1({ primaryRegion: undefined }), 'primaryRegion'],
  ['primaryRegion that is not a media Region', v, spec1({ primaryRegion: 'us-east-3' }), 'primaryRegion'],
  ['controlRegion without a meetings endpoint', v, spec1({ controlRegion: 'eu-west-1' }), 'controlRegion'],
  [
    'controlRegion in another partition than the primary',
    v,
    spec1({ controlRegion: 'us-gov-west-1' }),
    'controlRegion',
  ],
  ['replicaRegions that is a string', v, spec1({ replicaRegions: 'eu-west-1' }), 'replicaRegions'],
  [
    'replica Region that is unknown',
    v,
    spec1({ replicaRegions: ['eu-west-1', 'mars-1'] }),
    'replicaRegions[1]',
  ],
  [
    'replica Region listed twice',
    v,
    spec1({ replicaRegions: ['eu-west-1', 'ap-south-1', 'eu-west-1'] }),
    'replicaRegions[2]',
  ],
  [
    'GovCloud replica of a commercial primary',
    v,
    spec1({ replicaRegions: ['us-gov-east-1'] }),
    'replicaRegions[0]',
  ],
  // ---- attendees
  ['missing attendees', v, spec1({ attendees: undefined }), 'attendees'],
  ['attendees that is an object', v, spec1({ attendees: {} }), 'attendees'],
  ['attendee that is a string', v, spec1({ attendees: ['alice'] }), 'attendees[0]'],
  [
    'attendee without externalUserId',
    v,
    spec1({ attendees: [{ role: 'host' }] }),
    'attendees[0].externalUserId',
  ],
  [
    'externalUserId of 65 characters',
    v,
    spec1({ attendees: [{ externalUserId: 'u'.repeat(65), role: 'viewer' }] }),
    'attendees[0].externalUserId',
  ],
  [
    'externalUserId with the reserved aws: prefix',
    v,
    spec1({ attendees: [{ externalUserId: 'Aws:bot', role: 'viewer' }] }),
    'attendees[0].externalUserId',
  ],
  [
    'externalUserId with a character outside the service pattern',
    v,
    spec1({ attendees: [{ externalUserId: 'alice*', role: 'viewer' }] }),
    'attendees[0].externalUserId',
  ],
  [
    'duplicate externalUserId (reported on the later one)',
    v,
    spec1({ attendees: [...viewers(3), { externalUserId: 'viewer-1', role: 'host' }] }),
    'attendees[3].externalUserId',
  ],
  [
    'attendee role that does not exist',
    v,
    spec1({ attendees: [{ externalUserId: 'alice', role: 'moderator' }] }),
    'attendees[0].role',
  ],
  [
    'attendee region that is not a media Region',
    v,
    spec1({ attendees: [{ externalUserId: 'alice', role: 'viewer', region: 'Europe' }] }),
    'attendees[0].region',
  ],
  [
    'attendee with an unknown key',
    v,
    spec1({ attendees: [{ externalUserId: 'alice', role: 'viewer', capabilities: {} }] }),
    'attendees[0].capabilities',
  ],
  ['roster larger than the default 4 replicas allow', v, spec1({ attendees: viewers(1251) }), 'attendees'],
  [
    'roster larger than 40 replicas allow',
    v,
    spec1({ attendees: viewers(10251), maxReplicas: 40 }),
    'attendees',
  ],
  [
    'more hosts and speakers than the primary holds',
    v,
    spec1({
      attendees: Array.from({ length: 251 }, (_, i) => ({ externalUserId: `s-${i}`, role: 'speaker' })),
      maxReplicas: 40,
    }),
    'attendees',
  ],
  [
    'roster larger than meetingFeatures.Attendee.MaxCount allows',
    v,
    spec1({ attendees: viewers(60), maxReplicas: 1, meetingFeatures: { Attendee: { MaxCount: 25 } } }),
    'attendees',
  ],
  // ---- numbers
  ['provisionLeadSeconds as a string', v, spec1({ provisionLeadSeconds: '120' }), 'provisionLeadSeconds'],
  ['provisionLeadSeconds of 0', v, spec1({ provisionLeadSeconds: 0 }), 'provisionLeadSeconds'],
  ['provisionLeadSeconds above 240', v, spec1({ provisionLeadSeconds: 241 }), 'provisionLeadSeconds'],
  ['provisionLeadSeconds with a fraction', v, spec1({ provisionLeadSeconds: 90.5 }), 'provisionLeadSeconds'],
  ['maxReplicas above 40', v, spec1({ maxReplicas: 41 }), 'maxReplicas'],
  ['negative maxReplicas', v, spec1({ maxReplicas: -1 }), 'maxReplicas'],
  // ---- tags and tenant IDs
  [
    'more than 50 tags',
    v,
    spec1({ tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }),
    'tags',
  ],
  [
    'tag key with the reserved aws: prefix',
    v,
    spec1({ tags: [{ Key: 'aws:cost', Value: 'x' }] }),
    'tags[0].Key',
  ],
  ['tag key of 129 characters', v, spec1({ tags: [{ Key: 'k'.repeat(129), Value: 'x' }] }), 'tags[0].Key'],
  ['empty tag key', v, spec1({ tags: [{ Key: '', Value: 'x' }] }), 'tags[0].Key'],
  [
    'tag value of 257 characters',
    v,
    spec1({ tags: [{ Key: 'team', Value: 'v'.repeat(257) }] }),
    'tags[0].Value',
  ],
  ['tag without a Value', v, spec1({ tags: [{ Key: 'team' }] }), 'tags[0].Value'],
  ['tag with an unknown key', v, spec1({ tags: [{ Key: 'team', Value: 'a', key: 'x' }] }), 'tags[0].key'],
  [
    'duplicate tag key',
    v,
    spec1({
      tags: [
        { Key: 'team', Value: 'a' },
        { Key: 'team', Value: 'b' },
      ],
    }),
    'tags[1].Key',
  ],
  ['empty tenantIds', v, spec1({ tenantIds: [] }), 'tenantIds'],
  ['six tenantIds', v, spec1({ tenantIds: ['t1', 't2', 't3', 't4', 't5', 't6'] }), 'tenantIds'],
  ['tenant ID repeating a character 4 times', v, spec1({ tenantIds: ['ok', 'abbbbc'] }), 'tenantIds[1]'],
  ['tenant ID with a space', v, spec1({ tenantIds: ['tenant one'] }), 'tenantIds[0]'],
  // ---- meeting features
  [
    'unknown echo reduction status',
    v,
    spec1({ meetingFeatures: { Audio: { EchoReduction: 'ON' } } }),
    'meetingFeatures.Audio.EchoReduction',
  ],
  [
    'video resolution UHD (content only)',
    v,
    spec1({ meetingFeatures: { Video: { MaxResolution: 'UHD' } } }),
    'meetingFeatures.Video.MaxResolution',
  ],
  [
    'attendee MaxCount above 250',
    v,
    spec1({ meetingFeatures: { Attendee: { MaxCount: 251 } } }),
    'meetingFeatures.Attendee.MaxCount',
  ],
  [
    'FHD video without an attendee MaxCount of at most 25',
    v,
    spec1({ meetingFeatures: { Video: { MaxResolution: 'FHD' } } }),
    'meetingFeatures.Attendee.MaxCount',
  ],
  [
    'unknown meeting feature',
    v,
    spec1({ meetingFeatures: { Audio: {}, Transcription: {} } }),
    'meetingFeatures.Transcription',
  ],
  // ---- transcription inside the spec
  ['transcription that is a string', v, spec1({ transcription: 'en-US' }), 'transcription'],
  [
    'transcription without LanguageCode or IdentifyLanguage',
    v,
    spec1({ transcription: { Region: 'auto' } }),
    'transcription.LanguageCode',
  ],
  [
    'transcription wrapped in EngineTranscribeSettings',
    v,
    spec1({ transcription: { EngineTranscribeSettings: { LanguageCode: 'en-US' } } }),
    'transcription.EngineTranscribeSettings',
  ],
  // ---- operator actions
  ['promoteSpeaker without an object', validateSpeakerArgs, 'alice', 'input'],
  ['promoteSpeaker without externalUserId', validateSpeakerArgs, {}, 'externalUserId'],
  ['promoteSpeaker with a number id', validateSpeakerArgs, { externalUserId: 7 }, 'externalUserId'],
  ['promoteSpeaker with an aws: id', validateSpeakerArgs, { externalUserId: 'aws:x' }, 'externalUserId'],
  ['promoteSpeaker with an unknown key', validateSpeakerArgs, { externalUserId: 'al', role: 'x' }, 'role'],
  [
    'removeAttendee with a 1-character id',
    validateRemoveAttendeeArgs,
    { externalUserId: 'a' },
    'externalUserId',
  ],
  ['muteAllExcept without ids', validateMuteAllExceptArgs, {}, 'externalUserIds'],
  ['muteAllExcept with an empty list', validateMuteAllExceptArgs, { externalUserIds: [] }, 'externalUserIds'],
  [
    'muteAllExcept with 251 ids',
    validateMuteAllExceptArgs,
    { externalUserIds: Array.from({ length: 251 }, (_, i) => `id-${i}`) },
    'externalUserIds',
  ],
  [
    'muteAllExcept with a duplicate id',
    validateMuteAllExceptArgs,
    { externalUserIds: ['alice', 'bob', 'alice'] },
    'externalUserIds[2]',
  ],
  [
    'muteAllExcept with a non-string id',
    validateMuteAllExceptArgs,
    { externalUserIds: ['alice', null] },
    'externalUserIds[1]',
  ],
  ['addAttendees with an empty list', validateAddAttendeesArgs, { attendees: [] }, 'attendees'],
  ['addAttendees with attendees as an object', validateAddAttendeesArgs, { attendees: {} }, 'attendees'],
  [
    'addAttendees with a duplicate within the list',
    validateAddAttendeesArgs,
    { attendees: [...viewers(2), { externalUserId: 'viewer-0', role: 'viewer' }] },
    'attendees[2].externalUserId',
  ],
  [
    'addAttendees with a bad role',
    validateAddAttendeesArgs,
    { attendees: [{ externalUserId: 'alice', role: 'Host' }] },
    'attendees[0].role',
  ],
  ['reschedule with neither startAt nor endAt', validateRescheduleArgs, {}, 'input'],
  ['reschedule with a zoneless startAt', validateRescheduleArgs, { startAt: '2025-06-01 15:00' }, 'startAt'],
  [
    'reschedule with endAt before startAt',
    validateRescheduleArgs,
    { startAt: '2025-06-01T15:00:00Z', endAt: '2025-06-01T10:00:00-04:00' },
    'endAt',
  ],
  ['reschedule with an unknown key', validateRescheduleArgs, { start: '2025-06-01T15:00:00Z' }, 'start'],
  ['endWebinar with a 257-character reason', validateEndWebinarArgs, { reason: 'r'.repeat(257) }, 'reason'],
  ['endWebinar with a numeric reason', validateEndWebinarArgs, { reason: 5 }, 'reason'],
  ['endWebinar with an array', validateEndWebinarArgs, ['stop'], 'input'],
];

describe('validation rejects bad input and names the exact field', () => {
  test.each(badInputs)('%s', (_name, validate, input, field) => {
    const errors = errorsOf(validate(input));
    expect(errors.map((error) => error.field)).toContain(field);
    for (const error of errors) expect(error.message.length).toBeGreaterThan(10);
  });

  test(`the table covers at least 40 cases`, () => {
    expect(badInputs.length).toBeGreaterThanOrEqual(40);
  });
});

describe('validateWebinarSpec', () => {
  test('accepts a valid input and fills in every default', () => {
    const result = validateWebinarSpec(spec());
    expect(result).toEqual({
      ok: true,
      value: {
        webinarId: 'q3-all-hands',
        title: 'q3-all-hands',
        startAt: '2025-06-01T15:00:00Z',
        endAt: '2025-06-01T16:30:00Z',
        primaryRegion: 'us-east-1',
        replicaRegions: [],
        attendees: [
          { externalUserId: 'host-1', role: 'host' },
          { externalUserId: 'viewer-1', role: 'viewer', region: 'eu-west-1' },
        ],
        provisionLeadSeconds: DEFAULT_PROVISION_LEAD_SECONDS,
        maxReplicas: DEFAULT_MAX_REPLICAS,
        promotionReserve: 10,
        tags: [],
      },
    });
  });

  test('accepts every optional field at its limits and keeps them', () => {
    const input = spec({
      title: 'Q3 All-Hands (Ünïcode) [EMEA] «live» #1',
      controlRegion: 'us-west-2',
      replicaRegions: ['eu-west-1', 'ap-southeast-1'],
      startAt: '2025-06-01T15:00:00.123+02:00',
      endAt: '2025-06-02T15:00:00.123+02:00',
      transcription: { LanguageCode: 'en-US', ContentRedactionType: 'PII', PiiEntityTypes: 'NAME, EMAIL' },
      meetingFeatures: { Audio: { EchoReduction: 'AVAILABLE' }, Video: { MaxResolution: 'HD' } },
      tags: Array.from({ length: 50 }, (_, i) => ({ Key: `cost-center:${i}`, Value: '' })),
      tenantIds: ['tenant_1', 'a!@#$'],
      provisionLeadSeconds: 240,
      maxReplicas: 0,
    });
    const result = validateWebinarSpec(input);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.title).toBe('Q3 All-Hands (Ünïcode) [EMEA] «live» #1');
    expect(result.value.tags).toHaveLength(50);
    expect(result.value.maxReplicas).toBe(0);
    expect(result.value.tenantIds).toEqual(['tenant_1', 'a!@#$']);
  });

  test('treats null optional fields as absent', () => {
    const result = validateWebinarSpec(
      spec({ title: null, replicaRegions: null, transcription: null, tags: null }),
    );
    expect(result.ok && result.value.replicaRegions).toEqual([]);
    expect(result.ok && 'transcription' in result.value).toBe(false);
  });

  test('reports every bad field at once, not just the first', () => {
    const fields = fieldsOf(
      validateWebinarSpec({
        webinarId: 'x',
        startAt: 'tomorrow',
        endAt: '2025-06-01T16:00:00Z',
        primaryRegion: 'moon-1',
        attendees: [{ externalUserId: 'a', role: 'viewer' }],
        tags: [{ Key: 'aws:x', Value: 'y' }],
        maxReplicas: 99,
        extra: true,
      }),
    );
    expect(fields).toEqual(
      expect.arrayContaining([
        'extra',
        'webinarId',
        'startAt',
        'primaryRegion',
        'attendees[0].externalUserId',
        'tags[0].Key',
        'maxReplicas',
      ]),
    );
  });

  test('a duplicate externalUserId names both indices', () => {
    const errors = errorsOf(
      validateWebinarSpec(spec({ attendees: [...viewers(5), { ...viewers(1, 2)[0] }] })),
    );
    const duplicate = errors.find((error) => error.field === 'attendees[5].externalUserId');
    expect(duplicate?.message).toContain('attendees[2].externalUserId');
  });

  test('messages never echo an external user ID or title (the service marks them sensitive)', () => {
    const secret = 'Zed Secretname%';
    const errors = errorsOf(
      validateWebinarSpec(spec({ title: secret, attendees: [{ externalUserId: secret, role: 'viewer' }] })),
    );
    expect(errors).toHaveLength(2);
    expect(formatFieldErrors(errors)).not.toContain('Secretname');
  });

  test('an oversized roster is rejected with the numbers: attendees, meetings needed, meetings allowed', () => {
    const errors = errorsOf(validateWebinarSpec(spec({ attendees: viewers(10300), maxReplicas: 40 })));
    expect(errors).toEqual([
      {
        field: 'attendees',
        message: expect.stringContaining(
          '10,300 attendees and a promotion reserve of 10 seats need 42 meetings of 250 but at most 41 are allowed (1 primary + 40 replicas)',
        ) as unknown,
      },
    ]);
  });

  test('the default maxReplicas of 4 and reserve of 10 admit 1,240 attendees and reject 1,241', () => {
    expect(validateWebinarSpec(spec({ attendees: viewers(1240) })).ok).toBe(true);
    const errors = errorsOf(validateWebinarSpec(spec({ attendees: viewers(1241) })));
    expect(errors[0]?.message).toContain(
      '1,241 attendees and a promotion reserve of 10 seats need 6 meetings of 250 but at most 5 are allowed',
    );
    expect(errors[0]?.message).toContain('raise maxReplicas');
    expect(errors[0]?.message).toContain('lower promotionReserve');
  });

  test('promotionReserve 0 gives the whole 1,250 seats to attendees; a bad one names its bounds', () => {
    expect(validateWebinarSpec(spec({ attendees: viewers(1250), promotionReserve: 0 })).ok).toBe(true);
    expect(errorsOf(validateWebinarSpec(spec({ promotionReserve: 251 })))).toEqual([
      {
        field: 'promotionReserve',
        message:
          'must be a whole number from 0 to 250 (seats the primary meeting keeps free for promoting replica viewers), got 251',
      },
    ]);
    expect(errorsOf(validateWebinarSpec(spec({ promotionReserve: 'ten' })))[0]?.field).toBe(
      'promotionReserve',
    );
  });

  test('the default reserve is what the primary leaves beside its hosts and speakers, at most 10', () => {
    const hosts = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ externalUserId: `host-${i}`, role: 'host' }));
    const reserveOf = (input: unknown): number | undefined => {
      const result = validateWebinarSpec(input);
      return result.ok ? result.value.promotionReserve : undefined;
    };
    expect(reserveOf(spec({ attendees: viewers(3) }))).toBe(10);
    expect(reserveOf(spec({ attendees: hosts(245) }))).toBe(5);
    expect(reserveOf(spec({ attendees: hosts(250) }))).toBe(0);
  });

  test('the full size of 10,250 attendees with 40 replicas is accepted', () => {
    const attendees = [
      ...Array.from({ length: 250 }, (_, i) => ({ externalUserId: `host-${i}`, role: 'host' })),
      ...viewers(10000),
    ];
    // 250 hosts leave the primary no seat, so the default reserve is 0.
    expect(validateWebinarSpec(spec({ attendees, maxReplicas: 40 })).ok).toBe(true);
  });

  test('with its default reserve a full webinar holds 10,240 attendees and 10 promotion seats', () => {
    expect(validateWebinarSpec(spec({ attendees: viewers(10_240), maxReplicas: 40 })).ok).toBe(true);
    expect(
      errorsOf(validateWebinarSpec(spec({ attendees: viewers(10_241), maxReplicas: 40 })))[0]?.field,
    ).toBe('attendees');
  });

  test('accepts a 24-hour webinar exactly and an empty roster', () => {
    expect(validateWebinarSpec(spec({ endAt: '2025-06-02T15:00:00Z', attendees: [] })).ok).toBe(true);
  });

  test('a type error says which type was expected', () => {
    const errors = errorsOf(validateWebinarSpec(spec({ webinarId: 5, attendees: 'all', maxReplicas: '4' })));
    expect(errors.find((e) => e.field === 'webinarId')?.message).toBe('must be a string, got a number');
    expect(errors.find((e) => e.field === 'attendees')?.message).toMatch(/must be an array .* got a string/);
    expect(errors.find((e) => e.field === 'maxReplicas')?.message).toMatch(
      /must be a number .* got a string/,
    );
  });

  test('an unknown key in the wrong case suggests the right name', () => {
    const errors = errorsOf(validateWebinarSpec(spec({ primaryregion: 'us-east-1' })));
    expect(errors.find((e) => e.field === 'primaryregion')?.message).toContain(
      "did you mean 'primaryRegion'",
    );
  });

  test('GovCloud webinars are accepted when every Region is in GovCloud', () => {
    const result = validateWebinarSpec(
      spec({
        controlRegion: 'us-gov-west-1',
        primaryRegion: 'us-gov-west-1',
        replicaRegions: ['us-gov-east-1'],
      }),
    );
    expect(result.ok).toBe(true);
  });

  test('does not share arrays with its input', () => {
    const input = spec({ replicaRegions: ['eu-west-1'] });
    const result = validateWebinarSpec(input);
    if (!result.ok) throw new Error('expected ok');
    expect(result.value.attendees).not.toBe(input.attendees);
    expect(result.value.replicaRegions).not.toBe(input.replicaRegions);
  });
});

describe('validateTranscriptionSettings', () => {
  const rejected: [string, Record<string, unknown>, string][] = [
    [
      'LanguageCode together with IdentifyLanguage',
      { LanguageCode: 'en-US', IdentifyLanguage: true },
      'IdentifyLanguage',
    ],
    [
      'LanguageOptions without IdentifyLanguage',
      { LanguageCode: 'en-US', LanguageOptions: 'en-US,fr-FR' },
      'LanguageOptions',
    ],
    ['a single LanguageOption', { IdentifyLanguage: true, LanguageOptions: 'en-US' }, 'LanguageOptions'],
    [
      'two dialects of one language',
      { IdentifyLanguage: true, LanguageOptions: 'en-US,en-GB' },
      'LanguageOptions',
    ],
    [
      'an unknown language option',
      { IdentifyLanguage: true, LanguageOptions: 'en-US,xx-XX' },
      'LanguageOptions',
    ],
    [
      'a PreferredLanguage outside LanguageOptions',
      { IdentifyLanguage: true, LanguageOptions: 'en-US,fr-FR', PreferredLanguage: 'de-DE' },
      'PreferredLanguage',
    ],
    [
      'a PreferredLanguage without IdentifyLanguage',
      { LanguageCode: 'en-US', PreferredLanguage: 'en-US' },
      'PreferredLanguage',
    ],
    [
      'ContentIdentificationType with ContentRedactionType',
      { LanguageCode: 'en-US', ContentIdentificationType: 'PII', ContentRedactionType: 'PII' },
      'ContentRedactionType',
    ],
    [
      'PiiEntityTypes without identification or redaction',
      { LanguageCode: 'en-US', PiiEntityTypes: 'NAME' },
      'PiiEntityTypes',
    ],
    [
      'an unknown PII entity type',
      { LanguageCode: 'en-US', ContentRedactionType: 'PII', PiiEntityTypes: 'NAME,DNA' },
      'PiiEntityTypes',
    ],
    [
      'redaction with IdentifyLanguage',
      { IdentifyLanguage: true, ContentRedactionType: 'PII' },
      'ContentRedactionType',
    ],
    [
      'a language model with IdentifyLanguage',
      { IdentifyLanguage: true, LanguageModelName: 'm1' },
      'LanguageModelName',
    ],
    [
      'VocabularyNames without IdentifyLanguage',
      { LanguageCode: 'en-US', VocabularyNames: 'a,b' },
      'VocabularyNames',
    ],
    [
      'VocabularyName with IdentifyLanguage',
      { IdentifyLanguage: true, VocabularyName: 'v' },
      'VocabularyName',
    ],
    [
      'a filter method without a filter',
      { LanguageCode: 'en-US', VocabularyFilterMethod: 'mask' },
      'VocabularyFilterMethod',
    ],
    [
      'PartialResultsStability without stabilization',
      { LanguageCode: 'en-US', PartialResultsStability: 'high' },
      'PartialResultsStability',
    ],
    ['a Region Transcribe does not serve', { LanguageCode: 'en-US', Region: 'af-south-1' }, 'Region'],
    ['a LanguageCode Transcribe does not know', { LanguageCode: 'EN-us' }, 'LanguageCode'],
    ['IdentifyLanguage as a string', { IdentifyLanguage: 'true' }, 'IdentifyLanguage'],
    ['medical settings without Type', { LanguageCode: 'en-US', Specialty: 'CARDIOLOGY' }, 'Type'],
    [
      'medical settings in a language it lacks',
      { LanguageCode: 'en-GB', Specialty: 'CARDIOLOGY', Type: 'DICTATION' },
      'LanguageCode',
    ],
    [
      'medical PII identification (it is PHI)',
      { LanguageCode: 'en-US', Specialty: 'UROLOGY', Type: 'DICTATION', ContentIdentificationType: 'PII' },
      'ContentIdentificationType',
    ],
    [
      'a medical Region it does not serve',
      { LanguageCode: 'en-US', Specialty: 'UROLOGY', Type: 'DICTATION', Region: 'eu-central-1' },
      'Region',
    ],
    [
      'a standard field on medical settings',
      { LanguageCode: 'en-US', Specialty: 'UROLOGY', Type: 'DICTATION', IdentifyLanguage: false },
      'IdentifyLanguage',
    ],
  ];

  test.each(rejected)('rejects %s', (_name, settings, field) => {
    expect(fieldsOf(validateTranscriptionSettings(settings, 'settings'))).toContain(`settings.${field}`);
  });

  test('reports paths under the given field, and bare names with an empty field', () => {
    expect(fieldsOf(validateTranscriptionSettings({}))).toEqual(['transcription.LanguageCode']);
    expect(fieldsOf(validateTranscriptionSettings({}, ''))).toEqual(['LanguageCode']);
  });

  test('accepts language identification with options, preference and vocabulary lists', () => {
    const settings = {
      IdentifyLanguage: true,
      LanguageOptions: 'en-US,fr-CA,de-DE',
      PreferredLanguage: 'fr-CA',
      VocabularyNames: 'v1,v2',
      VocabularyFilterNames: 'f1',
      VocabularyFilterMethod: 'tag',
      ContentIdentificationType: 'PII',
      PiiEntityTypes: 'ALL',
      Region: 'auto',
      EnablePartialResultsStabilization: true,
      PartialResultsStability: 'low',
    };
    expect(validateTranscriptionSettings(settings)).toEqual({ ok: true, value: settings });
  });

  test('medical settings (Specialty and Type) become EngineTranscribeMedicalSettings', () => {
    const result = validateTranscriptionSettings({
      LanguageCode: 'en-US',
      Specialty: 'CARDIOLOGY',
      Type: 'CONVERSATION',
      ContentIdentificationType: 'PHI',
      Region: 'us-east-1',
      VocabularyName: null,
    });
    if (!result.ok) throw new Error(formatFieldErrors(result.errors));
    expect(toTranscriptionConfiguration(result.value)).toEqual({
      EngineTranscribeMedicalSettings: {
        LanguageCode: 'en-US',
        Specialty: 'CARDIOLOGY',
        Type: 'CONVERSATION',
        ContentIdentificationType: 'PHI',
        Region: 'us-east-1',
      },
    });
  });

  test('standard settings become EngineTranscribeSettings', () => {
    expect(toTranscriptionConfiguration({ LanguageCode: 'ja-JP' })).toEqual({
      EngineTranscribeSettings: { LanguageCode: 'ja-JP' },
    });
  });
});

describe('operator actions accept valid arguments', () => {
  test('speaker, remove and muteAllExcept arguments come back as given', () => {
    expect(validateSpeakerArgs({ externalUserId: 'alice@example.com' })).toEqual({
      ok: true,
      value: { externalUserId: 'alice@example.com' },
    });
    expect(validateRemoveAttendeeArgs({ externalUserId: 'bob' })).toEqual({
      ok: true,
      value: { externalUserId: 'bob' },
    });
    const ids = Array.from({ length: 250 }, (_, i) => `id-${i}`);
    expect(validateMuteAllExceptArgs({ externalUserIds: ids })).toEqual({
      ok: true,
      value: { externalUserIds: ids },
    });
  });

  test('addAttendees keeps each attendee and its optional region', () => {
    const attendees = [
      { externalUserId: 'ann', role: 'viewer', region: 'ap-south-1' },
      { externalUserId: 'ben', role: 'speaker' },
    ];
    expect(validateAddAttendeesArgs({ attendees })).toEqual({ ok: true, value: { attendees } });
  });

  test('reschedule accepts either bound alone, or both 24 hours apart', () => {
    expect(validateRescheduleArgs({ startAt: '2025-06-01T15:00:00Z' })).toEqual({
      ok: true,
      value: { startAt: '2025-06-01T15:00:00Z' },
    });
    expect(validateRescheduleArgs({ endAt: '2025-06-01T15:00-07:00' }).ok).toBe(true);
    expect(
      validateRescheduleArgs({ startAt: '2025-06-01T00:00:00Z', endAt: '2025-06-02T00:00:00Z' }).ok,
    ).toBe(true);
  });

  test('endWebinar accepts no argument, an empty object, and a 256-character reason', () => {
    expect(validateEndWebinarArgs(undefined)).toEqual({ ok: true, value: {} });
    expect(validateEndWebinarArgs({})).toEqual({ ok: true, value: {} });
    expect(validateEndWebinarArgs({ reason: 'r'.repeat(256) }).ok).toBe(true);
  });
});

describe('validateSchedule and parseIsoInstant', () => {
  test('offsets are honoured: 17:00+02:00 is 15:00Z', () => {
    expect(parseIsoInstant('2025-06-01T17:00:00+02:00')).toBe(parseIsoInstant('2025-06-01T15:00:00Z'));
    expect(parseIsoInstant('2025-06-01T15:00:00.5Z')).toBe(Date.UTC(2025, 5, 1, 15, 0, 0, 500));
  });

  test('leap days exist only in leap years; zoneless strings are not instants', () => {
    expect(parseIsoInstant('2024-02-29T00:00:00Z')).toBeDefined();
    expect(parseIsoInstant('2025-02-29T00:00:00Z')).toBeUndefined();
    expect(parseIsoInstant('2025-06-01T15:00:00')).toBeUndefined();
    expect(parseIsoInstant('2025-06-01T24:00:00Z')).toBeUndefined();
  });

  test('a merged schedule longer than 24 hours is reported on endAt with the length', () => {
    expect(validateSchedule('2025-06-01T00:00:00Z', '2025-06-02T06:00:00Z')).toEqual([
      { field: 'endAt', message: 'must be at most 24 hours after startAt, got 30 hours' },
    ]);
  });
});

describe('validateAttendeeCapabilities', () => {
  test('content capability cannot receive unless video receives', () => {
    const result = validateAttendeeCapabilities({ Audio: 'SendReceive', Video: 'Send', Content: 'Receive' });
    expect(fieldsOf(result)).toEqual(['capabilities.Content']);
  });

  test('a meeting without video rejects any video capability', () => {
    const result = validateAttendeeCapabilities(
      { Audio: 'Receive', Video: 'Receive', Content: 'None' },
      'caps',
      {
        Video: { MaxResolution: 'None' },
      },
    );
    expect(fieldsOf(result)).toEqual(['caps.Video']);
  });

  test('all three capabilities are required and unknown keys are named', () => {
    expect(fieldsOf(validateAttendeeCapabilities({ Audio: 'Receive', Screen: 'None' }))).toEqual([
      'capabilities.Screen',
      'capabilities.Video',
      'capabilities.Content',
    ]);
  });

  test('accepts video receive with content send-receive', () => {
    expect(validateAttendeeCapabilities({ Audio: 'None', Video: 'Receive', Content: 'SendReceive' }).ok).toBe(
      true,
    );
  });
});

describe('formatFieldErrors', () => {
  test('names every field in one message', () => {
    expect(
      formatFieldErrors([
        { field: 'attendees[3].externalUserId', message: 'must be 2-64 characters, got 1' },
        { field: 'startAt', message: 'is required' },
      ]),
    ).toBe(
      'Invalid webinar input: attendees[3].externalUserId: must be 2-64 characters, got 1; startAt: is required',
    );
  });

  test('names the subject when given, and says how many errors it did not list', () => {
    const errors = Array.from({ length: MAX_REPORTED_ERRORS + 5 }, (_, i) => ({
      field: `f${i}`,
      message: 'bad',
    }));
    const message = formatFieldErrors(errors, 'addAttendees argument');
    expect(message.startsWith('Invalid addAttendees argument: f0: bad;')).toBe(true);
    expect(message.endsWith(`f${MAX_REPORTED_ERRORS - 1}: bad; and 5 more errors`)).toBe(true);
  });
});

describe('describeFieldErrors', () => {
  test('lists every entry as field: message, with no subject, the count of the rest as an entry', () => {
    expect(
      describeFieldErrors([
        { field: 'endAt', message: 'must be after startAt' },
        { field: 'input', message: 'and 5 more errors' },
      ]),
    ).toBe('endAt: must be after startAt; input: and 5 more errors');
  });
});
