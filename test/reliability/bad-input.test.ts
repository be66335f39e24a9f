/**
 * Bad input, end to end on the time-skipping server with the emulator behind the real activities: workflow
 * inputs through a real start, every operator action as an Update, and the CLI. Each case
 * checks the error names the field and that no webinar is left half-made (no Chime call for bad inputs;
 * nothing changed in the emulator or the webinar's status for rejected actions).
 * The pure validators are covered case by case in test/domain/validation.test.ts and the worker's configuration
 * (ConfigError per variable) in test/worker/config.test.ts; this suite proves the wiring, with each error's exact
 * `field: message`.
 */
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { WebinarSpec, WebinarStatus } from '../../domain/types';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_USAGE, main as cli } from '../../client/cli/main';
import { operatorUpdates, statusQuery, type OperatorAction } from '../../workflows/definitions';
import type { webinarWorkflow } from '../../workflows';
import { startWebinarStack, waitForStatus, webinarSpec, type WebinarStack } from '../support/webinar-stack';

let stack: WebinarStack;
let t0: number;

beforeAll(async () => {
  stack = await startWebinarStack({ server: 'time-skipping' });
  t0 = await stack.env.currentTimeMs();
});

afterAll(async () => {
  await stack?.shutdown();
});

const iso = (ms: number): string => new Date(ms).toISOString();
const viewers = (n: number, prefix = 'v') =>
  Array.from({ length: n }, (_, i) => ({ externalUserId: `${prefix}-${i}`, role: 'viewer' as const }));

type Mutate = (spec: Record<string, unknown>) => unknown;

/** [description, mutation of a valid spec, the exact `field: message` of the error] */
const inputCases: [string, Mutate, string][] = [
  [
    'webinarId missing',
    (s) => ({ ...s, webinarId: undefined }),
    'webinarId: is required: 2-48 characters of letters, digits, - and _',
  ],
  [
    'webinarId of the wrong type',
    (s) => ({ ...s, webinarId: 12345 }),
    'webinarId: must be a string, got a number',
  ],
  [
    'webinarId too short',
    (s) => ({ ...s, webinarId: 'x' }),
    "webinarId: must be 2-48 characters, got 1 ('x')",
  ],
  [
    'webinarId with a slash',
    (s) => ({ ...s, webinarId: 'a/b' }),
    "webinarId: has a character the service does not accept '/' at position 2; allowed: letters, digits, - and _ (it is embedded in meeting IDs and request tokens)",
  ],
  [
    'startAt missing',
    (s) => ({ ...s, startAt: undefined }),
    'startAt: is required: an ISO-8601 date-time with a timezone (e.g. 2025-06-01T15:00:00Z or 2025-06-01T17:00:00+02:00)',
  ],
  [
    'startAt without a timezone',
    (s) => ({ ...s, startAt: '2031-01-01T10:00:00' }),
    "startAt: '2031-01-01T10:00:00' has no timezone; add Z for UTC or an offset such as +02:00 (e.g. 2025-06-01T15:00:00Z or 2025-06-01T17:00:00+02:00)",
  ],
  ['endAt before startAt', (s) => ({ ...s, endAt: iso(t0 + 1800_000) }), 'endAt: must be after startAt'],
  [
    'more than 24 h apart',
    (s) => ({ ...s, endAt: iso(t0 + 26 * 3600_000) }),
    'endAt: must be at most 24 hours after startAt, got 25 hours',
  ],
  [
    'unknown primaryRegion',
    (s) => ({ ...s, primaryRegion: 'mars-north-1' }),
    "primaryRegion: 'mars-north-1' is not a Chime SDK media Region; use one of: af-south-1, ap-northeast-1, ap-northeast-2, ap-south-1, ap-southeast-1, ap-southeast-2, ca-central-1, eu-central-1, eu-north-1, eu-south-1, eu-west-1, eu-west-2, eu-west-3, sa-east-1, us-east-1, us-east-2, us-west-1, us-west-2, us-gov-east-1, us-gov-west-1",
  ],
  [
    'controlRegion without an API endpoint',
    (s) => ({ ...s, controlRegion: 'eu-west-3' }),
    "controlRegion: 'eu-west-3' has no Chime SDK meetings API endpoint; use one of: us-east-1, us-west-2, eu-central-1, ap-southeast-1, us-gov-east-1, us-gov-west-1 (or leave it out for the worker's Region)",
  ],
  [
    'duplicate replicaRegions',
    (s) => ({ ...s, replicaRegions: ['eu-west-1', 'eu-west-1'] }),
    "replicaRegions[1]: duplicates replicaRegions[0] ('eu-west-1'); list each Region once",
  ],
  [
    'replicaRegion in another partition',
    (s) => ({ ...s, replicaRegions: ['us-gov-west-1'] }),
    "replicaRegions[0]: 'us-gov-west-1' is in the AWS GovCloud (US) partition but primaryRegion 'us-east-1' is in the commercial AWS partition; all Regions of a webinar must be in one partition",
  ],
  [
    'attendees not a list',
    (s) => ({ ...s, attendees: 'everyone' }),
    'attendees: must be an array of {externalUserId, role, region?} objects, got a string',
  ],
  [
    'attendee without role',
    (s) => ({ ...s, attendees: [{ externalUserId: 'ab-1' }] }),
    'attendees[0].role: is required; one of: host, speaker, viewer',
  ],
  [
    'attendee with an unknown role',
    (s) => ({ ...s, attendees: [{ externalUserId: 'ab-1', role: 'admin' }] }),
    "attendees[0].role: must be one of: host, speaker, viewer; got 'admin'",
  ],
  [
    'duplicate externalUserId',
    (s) => ({ ...s, attendees: [...viewers(2), { externalUserId: 'v-0', role: 'host' }] }),
    'attendees[2].externalUserId: duplicates attendees[0].externalUserId; every externalUserId must be unique',
  ],
  [
    'reserved aws: prefix on an externalUserId',
    (s) => ({ ...s, attendees: [{ externalUserId: 'AWS:root', role: 'host' }] }),
    "attendees[0].externalUserId: must not start with 'aws:' (reserved by AWS, in any letter case)",
  ],
  [
    'attendee region not a MediaRegion',
    (s) => ({ ...s, attendees: [{ externalUserId: 'ab-1', role: 'viewer', region: 'moon-1' }] }),
    "attendees[0].region: 'moon-1' is not a Chime SDK media Region; use one of: af-south-1, ap-northeast-1, ap-northeast-2, ap-south-1, ap-southeast-1, ap-southeast-2, ca-central-1, eu-central-1, eu-north-1, eu-south-1, eu-west-1, eu-west-2, eu-west-3, sa-east-1, us-east-1, us-east-2, us-west-1, us-west-2, us-gov-east-1, us-gov-west-1",
  ],
  [
    'reserved aws: prefix on the title',
    (s) => ({ ...s, title: 'aws:launch' }),
    "title: must not start with 'aws:' (reserved by AWS, in any letter case)",
  ],
  [
    'too many tags',
    (s) => ({ ...s, tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }),
    'tags: must have at most 50 tags, got 51',
  ],
  [
    'reserved aws: tag key',
    (s) => ({ ...s, tags: [{ Key: 'aws:owner', Value: 'x' }] }),
    "tags[0].Key: must not start with 'aws:' (reserved by AWS, in any letter case)",
  ],
  [
    'too many tenantIds',
    (s) => ({ ...s, tenantIds: ['t1', 't2', 't3', 't4', 't5', 't6'] }),
    'tenantIds: must have 1-5 tenant IDs (omit the field for none), got 6',
  ],
  [
    'FHD video with more than 25 attendees per meeting',
    (s) => ({ ...s, meetingFeatures: { Video: { MaxResolution: 'FHD' }, Attendee: { MaxCount: 100 } } }),
    'meetingFeatures.Attendee.MaxCount: must be set to at most 25 when Video.MaxResolution is FHD or Content.MaxResolution is UHD (the service limits such meetings to 25 attendees), got 100',
  ],
  [
    'MaxCount out of range',
    (s) => ({ ...s, meetingFeatures: { Attendee: { MaxCount: 300 } } }),
    'meetingFeatures.Attendee.MaxCount: must be a whole number from 1 to 250 (the most attendees one meeting admits), got 300',
  ],
  [
    'transcription with LanguageCode and IdentifyLanguage',
    (s) => ({ ...s, transcription: { LanguageCode: 'en-US', IdentifyLanguage: true } }),
    'transcription.IdentifyLanguage: cannot be true together with LanguageCode; give one or the other',
  ],
  [
    'provisionLeadSeconds above 240',
    (s) => ({ ...s, provisionLeadSeconds: 300 }),
    'provisionLeadSeconds: must be a whole number of seconds from 1 to 240 (an idle primary meeting auto-ends after 5 minutes), got 300',
  ],
  [
    'provisionLeadSeconds as a string',
    (s) => ({ ...s, provisionLeadSeconds: '60' }),
    'provisionLeadSeconds: must be a number of seconds, got a string',
  ],
  [
    'maxReplicas above 40',
    (s) => ({ ...s, maxReplicas: 41 }),
    "maxReplicas: must be a whole number from 0 to 40 (replicas the account's quota allows per primary meeting), got 41",
  ],
  [
    'oversized roster (10,251 attendees)',
    (s) => ({ ...s, attendees: viewers(10_251) }),
    "attendees: 10,251 attendees and a promotion reserve of 10 seats need 42 meetings of 250 but at most 5 are allowed (1 primary + 4 replicas); raise maxReplicas (at most 40, within your account's replica quota), lower promotionReserve (0 keeps no seat for promotions) or remove attendees",
  ],
  [
    'more than 250 hosts and speakers',
    (s) => ({
      ...s,
      attendees: Array.from({ length: 251 }, (_, i) => ({ externalUserId: `h-${i}`, role: 'speaker' })),
    }),
    'attendees: 251 hosts and speakers must all join the primary meeting, which holds at most 250; make some of them viewers',
  ],
  [
    'misspelled field',
    (s) => ({ ...s, atendees: s.attendees }),
    'atendees: unknown field; allowed fields here are: webinarId, title, startAt, endAt, controlRegion, primaryRegion, replicaRegions, attendees, transcription, meetingFeatures, tags, tenantIds, provisionLeadSeconds, maxReplicas, promotionReserve',
  ],
  [
    'input not an object',
    () => 'webinar please',
    'input: must be a JSON object (the webinar input), got a string',
  ],
];

describe('workflow input: a real start fails with a ValidationError naming the field, before any Chime call', () => {
  let n = 0;
  it.each(inputCases)('%s', async (_name, mutate, expected) => {
    const base = webinarSpec(t0, { replicaRegions: ['eu-west-1'] }) as unknown as Record<string, unknown>;
    const callsBefore = stack.emulator.state().totals.calls;
    const handle = await stack.env.client.workflow.start('webinarWorkflow', {
      args: [mutate(base)],
      taskQueue: stack.taskQueue,
      workflowId: `bad-input-${process.pid}-${n++}`,
    });
    const err: unknown = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('ValidationError');
    expect((cause as ApplicationFailure).nonRetryable).toBe(true);
    expect(cause?.message).toBe(`Invalid webinar input: ${expected}`);
    expect(stack.emulator.state().totals.calls).toBe(callsBefore);
    expect(stack.liveMeetings()).toBe(0);
  });
});

type Handle = WorkflowHandle<typeof webinarWorkflow>;

/** Everything the Chime emulator would show if an action had touched it. */
function emulatorFingerprint(): string {
  const s = stack.emulator.state();
  const ops = Object.entries(s.operations)
    .filter(([op]) => op !== 'GetMeeting') // health checks may read; nothing may write
    .map(([op, c]) => `${op}:${c.calls}`)
    .sort();
  return JSON.stringify({
    meetings: s.meetings.map((m) => [m.meetingId, m.attendees, m.transcription]),
    created: [s.totals.meetingsCreated, s.totals.attendeesCreated, s.totals.meetingsEnded],
    ops,
  });
}

function withoutRejections(status: WebinarStatus): Omit<WebinarStatus, 'rejected'> {
  const { rejected: _r, ...rest } = status;
  return rest;
}

async function expectRejected(
  handle: Handle,
  action: OperatorAction,
  args: unknown,
  message: string,
): Promise<void> {
  const emulatorBefore = emulatorFingerprint();
  const statusBefore = withoutRejections(await handle.query(statusQuery));
  const update = operatorUpdates[action] as unknown as Parameters<Handle['executeUpdate']>[0];
  const err = await handle.executeUpdate(update, { args: [args] } as never).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((err as WorkflowUpdateFailedError).cause?.message).toBe(message);
  expect(emulatorFingerprint()).toBe(emulatorBefore);
  expect(withoutRejections(await handle.query(statusQuery))).toEqual(statusBefore);
}

describe('operator actions: rejected with the field named, nothing changed in the emulator or the webinar', () => {
  let scheduled: Handle;
  let ready: Handle;
  let live: Handle;
  /** Server time when the three webinars were started. */
  let at: number;

  beforeAll(async () => {
    at = await stack.env.currentTimeMs();
    scheduled = await stack.start(
      webinarSpec(at, { startAt: iso(at + 10 * 3600_000), endAt: iso(at + 11 * 3600_000) }),
    );
    ready = await stack.start(webinarSpec(at));
    const liveSpec: WebinarSpec = webinarSpec(at, {
      startAt: iso(at + 1800_000),
      endAt: iso(at + 20 * 3600_000),
    });
    live = await stack.start(liveSpec);
    // The live webinar starts at +30 min, the ready one provisions at +58 min and starts at +60 min.
    await stack.env.sleep(3600_000 - 120_000 + 1_000);
    await waitForStatus(live, (s) => s.phase === 'LIVE');
    await waitForStatus(ready, (s) => s.phase === 'READY' && s.attendees.registered === 22);
    await waitForStatus(scheduled, (s) => s.phase === 'SCHEDULED');
  });

  afterAll(async () => {
    for (const h of [scheduled, ready, live]) {
      await h?.executeUpdate(operatorUpdates.endWebinar, { args: [{}] }).catch(() => undefined);
    }
    expect(stack.liveMeetings()).toBe(0);
  });

  // [description, webinar, action, argument, the exact message: `action: field: message`]
  const cases: [string, () => Handle, OperatorAction, () => unknown, string][] = [
    // wrong phase
    [
      'demoteSpeaker while SCHEDULED',
      () => scheduled,
      'demoteSpeaker',
      () => ({ externalUserId: 'host-1' }),
      'demoteSpeaker is not allowed in phase SCHEDULED (allowed: PROVISIONING, READY, LIVE)',
    ],
    [
      'muteAllExcept while SCHEDULED',
      () => scheduled,
      'muteAllExcept',
      () => ({ externalUserIds: ['host-1'] }),
      'muteAllExcept is not allowed in phase SCHEDULED (allowed: READY, LIVE)',
    ],
    [
      'reschedule startAt while LIVE',
      () => live,
      'reschedule',
      () => ({ startAt: iso(at + 30 * 3600_000) }),
      'reschedule: startAt cannot change once the webinar is LIVE',
    ],
    // bad arguments
    [
      'promoteSpeaker without an argument object',
      () => ready,
      'promoteSpeaker',
      () => 'host-1',
      'promoteSpeaker: input: must be an object {externalUserId}, got a string',
    ],
    [
      'promoteSpeaker with {}',
      () => ready,
      'promoteSpeaker',
      () => ({}),
      'promoteSpeaker: externalUserId: is required',
    ],
    [
      'promoteSpeaker with a number',
      () => ready,
      'promoteSpeaker',
      () => ({ externalUserId: 42 }),
      'promoteSpeaker: externalUserId: must be a string, got a number',
    ],
    [
      'promoteSpeaker with an unknown key',
      () => ready,
      'promoteSpeaker',
      () => ({ externalUserId: 'host-1', role: 'host' }),
      'promoteSpeaker: role: unknown field; allowed fields here are: externalUserId',
    ],
    [
      'demoteSpeaker with an aws: ID',
      () => ready,
      'demoteSpeaker',
      () => ({ externalUserId: 'aws:x1' }),
      "demoteSpeaker: externalUserId: must not start with 'aws:' (reserved by AWS, in any letter case)",
    ],
    [
      'removeAttendee with an empty ID',
      () => ready,
      'removeAttendee',
      () => ({ externalUserId: '' }),
      'removeAttendee: externalUserId: must be 2-64 characters, got 0',
    ],
    [
      'muteAllExcept with duplicates',
      () => ready,
      'muteAllExcept',
      () => ({ externalUserIds: ['host-1', 'host-1'] }),
      'muteAllExcept: externalUserIds[1]: duplicates externalUserIds[0]; list each ID once',
    ],
    [
      'muteAllExcept with too many IDs',
      () => ready,
      'muteAllExcept',
      () => ({ externalUserIds: viewers(251).map((v) => v.externalUserId) }),
      'muteAllExcept: externalUserIds: must list 1-250 external user IDs to keep unmuted, got 251',
    ],
    [
      'addAttendees with an empty list',
      () => ready,
      'addAttendees',
      () => ({ attendees: [] }),
      'addAttendees: attendees: must list 1-10250 attendees, got 0',
    ],
    [
      'addAttendees with a bad role',
      () => ready,
      'addAttendees',
      () => ({ attendees: [{ externalUserId: 'nn-1', role: 'boss' }] }),
      "addAttendees: attendees[0].role: must be one of: host, speaker, viewer; got 'boss'",
    ],
    [
      'addAttendees with duplicates in the list',
      () => ready,
      'addAttendees',
      () => ({ attendees: [...viewers(2, 'nn'), { externalUserId: 'nn-1', role: 'viewer' }] }),
      'addAttendees: attendees[2].externalUserId: duplicates attendees[1].externalUserId; every externalUserId must be unique',
    ],
    [
      'addAttendees with an existing attendee',
      () => ready,
      'addAttendees',
      () => ({ attendees: [{ externalUserId: 'speaker-1', role: 'viewer' }] }),
      'addAttendees: attendees[0].externalUserId speaker-1 is already an attendee',
    ],
    [
      'addAttendees past the capacity',
      () => ready,
      'addAttendees',
      () => ({ attendees: viewers(1_240, 'big') }),
      "addAttendees: 1,262 attendees and a promotion reserve of 10 seats need 6 meetings of 250 but at most 5 are allowed (1 primary + 4 replicas); raise maxReplicas (at most 40, within your account's replica quota), lower promotionReserve (0 keeps no seat for promotions) or remove attendees",
    ],
    [
      'addAttendees with an unknown region',
      () => scheduled,
      'addAttendees',
      () => ({ attendees: [{ externalUserId: 'nn-9', role: 'viewer', region: 'xx-1' }] }),
      "addAttendees: attendees[0].region: 'xx-1' is not a Chime SDK media Region; use one of: af-south-1, ap-northeast-1, ap-northeast-2, ap-south-1, ap-southeast-1, ap-southeast-2, ca-central-1, eu-central-1, eu-north-1, eu-south-1, eu-west-1, eu-west-2, eu-west-3, sa-east-1, us-east-1, us-east-2, us-west-1, us-west-2, us-gov-east-1, us-gov-west-1",
    ],
    [
      'reschedule with {}',
      () => scheduled,
      'reschedule',
      () => ({}),
      'reschedule: input: must give startAt, endAt or both (ISO-8601 with a timezone, e.g. 2025-06-01T15:00:00Z or 2025-06-01T17:00:00+02:00)',
    ],
    [
      'reschedule with a startAt in the past',
      () => scheduled,
      'reschedule',
      () => ({ startAt: iso(at - 3600_000) }),
      'reschedule: startAt is in the past',
    ],
    [
      'reschedule endAt before startAt',
      () => scheduled,
      'reschedule',
      () => ({ startAt: iso(at + 12 * 3600_000), endAt: iso(at + 11 * 3600_000) }),
      'reschedule: endAt: must be after startAt',
    ],
    [
      'reschedule with no timezone',
      () => scheduled,
      'reschedule',
      () => ({ startAt: '2031-01-01T10:00:00' }),
      "reschedule: startAt: '2031-01-01T10:00:00' has no timezone; add Z for UTC or an offset such as +02:00 (e.g. 2025-06-01T15:00:00Z or 2025-06-01T17:00:00+02:00)",
    ],
    [
      'reschedule beyond 24 h',
      () => ready,
      'reschedule',
      () => ({ endAt: iso(at + 40 * 3600_000) }),
      'reschedule: endAt: must be at most 24 hours after startAt, got 39 hours',
    ],
    [
      'startTranscription with {}',
      () => ready,
      'startTranscription',
      () => ({}),
      'startTranscription: transcription.LanguageCode: is required unless IdentifyLanguage is true; one of: en-US, en-GB, es-US, fr-CA, fr-FR, en-AU, it-IT, de-DE, pt-BR, ja-JP, ko-KR, zh-CN, th-TH, hi-IN',
    ],
    [
      'startTranscription with a bad Region',
      () => ready,
      'startTranscription',
      () => ({ LanguageCode: 'en-US', Region: 'mars-1' }),
      "startTranscription: transcription.Region: must be one of: us-east-2, us-east-1, us-west-2, ap-northeast-2, ap-southeast-2, ap-northeast-1, ca-central-1, eu-central-1, eu-west-1, eu-west-2, sa-east-1, auto, us-gov-west-1; got 'mars-1'",
    ],
    [
      'stopTranscription with arguments',
      () => ready,
      'stopTranscription',
      () => ({ now: true }),
      'stopTranscription: input: takes an empty object {}',
    ],
    [
      'endWebinar with an over-long reason',
      () => ready,
      'endWebinar',
      () => ({ reason: 'x'.repeat(300) }),
      'endWebinar: reason: must be at most 256 characters, got 300',
    ],
    [
      'endWebinar with a numeric reason',
      () => ready,
      'endWebinar',
      () => ({ reason: 7 }),
      'endWebinar: reason: must be a string, got a number',
    ],
    // unknown attendees
    [
      'promoteSpeaker of an unknown attendee',
      () => ready,
      'promoteSpeaker',
      () => ({ externalUserId: 'ghost-1' }),
      'promoteSpeaker: externalUserId ghost-1 is not an attendee of this webinar',
    ],
    [
      'demoteSpeaker of an unknown attendee',
      () => live,
      'demoteSpeaker',
      () => ({ externalUserId: 'ghost-2' }),
      'demoteSpeaker: externalUserId ghost-2 is not an attendee of this webinar',
    ],
    [
      'removeAttendee of an unknown attendee',
      () => ready,
      'removeAttendee',
      () => ({ externalUserId: 'ghost-3' }),
      'removeAttendee: externalUserId ghost-3 is not an attendee of this webinar',
    ],
    [
      'muteAllExcept with an unknown attendee',
      () => live,
      'muteAllExcept',
      () => ({ externalUserIds: ['host-1', 'ghost-4'] }),
      'muteAllExcept: externalUserIds[1] ghost-4 is not an attendee of this webinar',
    ],
  ];

  it.each(cases)('%s', async (_name, handle, action, args, message) => {
    await expectRejected(handle(), action, args(), message);
  });
});

describe('CLI: exit 2 with the field named, before connecting to Temporal (nothing listens on the address)', () => {
  let dir: string;
  const file = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bad-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const specJson = (patch: Record<string, unknown>): string =>
    JSON.stringify({ ...webinarSpec(Date.parse('2031-01-01T00:00:00Z')), ...patch });

  // [description, argv, the exact stderr line; <dir> is the temporary folder of the files]
  const cases: [string, () => string[], string][] = [
    [
      'schedule: bad primaryRegion',
      () => ['schedule', file('a.json', specJson({ primaryRegion: 'mars-1' }))],
      "Invalid webinar input: primaryRegion: 'mars-1' is not a Chime SDK media Region; use one of: af-south-1, ap-northeast-1, ap-northeast-2, ap-south-1, ap-southeast-1, ap-southeast-2, ca-central-1, eu-central-1, eu-north-1, eu-south-1, eu-west-1, eu-west-2, eu-west-3, sa-east-1, us-east-1, us-east-2, us-west-1, us-west-2, us-gov-east-1, us-gov-west-1",
    ],
    [
      'schedule: end before start',
      () => ['schedule', file('b.json', specJson({ endAt: '2030-01-01T00:00:00Z' }))],
      'Invalid webinar input: endAt: must be after startAt',
    ],
    [
      'schedule: aws: title',
      () => ['schedule', file('c.json', specJson({ title: 'aws:x' }))],
      "Invalid webinar input: title: must not start with 'aws:' (reserved by AWS, in any letter case)",
    ],
    [
      'schedule: spec file missing',
      () => ['schedule', join(dir, 'missing.json')],
      'spec file <dir>/missing.json does not exist',
    ],
    [
      'schedule: spec not JSON',
      () => ['schedule', file('d.json', '{ nope')],
      "<dir>/d.json is not valid JSON: Expected property name or '}' in JSON at position 2 (line 1 column 3)",
    ],
    [
      'add-attendees: bad role in the CSV',
      () => ['add-attendees', 'w-1', file('e.csv', 'ab-1,boss\n')],
      "<dir>/e.csv: line 1 role: must be one of: host, speaker, viewer; got 'boss'",
    ],
    [
      'add-attendees: aws: prefix in the CSV',
      () => ['add-attendees', 'w-1', file('f.csv', 'aws:x1,viewer\n')],
      "<dir>/f.csv: line 1 externalUserId: must not start with 'aws:' (reserved by AWS, in any letter case)",
    ],
    [
      'add-attendees: duplicate in the CSV',
      () => ['add-attendees', 'w-1', file('g.csv', 'ab-1,viewer\nab-1,viewer\n')],
      '<dir>/g.csv: line 2 externalUserId: duplicates attendees[0].externalUserId; every externalUserId must be unique',
    ],
    [
      'mute-all-except: duplicate IDs',
      () => ['mute-all-except', 'w-1', 'ab-1', 'ab-1'],
      'Invalid muteAllExcept argument: externalUserIds[1]: duplicates externalUserIds[0]; list each ID once',
    ],
    [
      'reschedule: start without timezone',
      () => ['reschedule', 'w-1', '--start', '2031-01-01T10:00:00'],
      "Invalid reschedule argument: startAt: '2031-01-01T10:00:00' has no timezone; add Z for UTC or an offset such as +02:00 (e.g. 2025-06-01T15:00:00Z or 2025-06-01T17:00:00+02:00)",
    ],
    [
      'end: reason too long',
      () => ['end', 'w-1', '--reason', 'x'.repeat(300)],
      'Invalid endWebinar argument: reason: must be at most 256 characters, got 300',
    ],
    [
      'unknown command',
      () => ['explode', 'w-1'],
      'Unknown command "explode". Commands: schedule, status, attendee, promote, demote, mute-all-except, add-attendees, remove, reschedule, end, action, cancel, list, export-history, report, patch-readiness, replay',
    ],
    [
      'action: aws: prefix in the JSON argument',
      () => ['action', 'w-1', 'removeAttendee', '{"externalUserId":"aws:x1"}'],
      "Invalid removeAttendee argument: externalUserId: must not start with 'aws:' (reserved by AWS, in any letter case)",
    ],
  ];

  it.each(cases)('%s', async (_name, argv, message) => {
    const out: string[] = [];
    const errs: string[] = [];
    const code = await cli([...argv(), '--address', '127.0.0.1:1'], {
      stdout: (t) => out.push(t),
      stderr: (t) => errs.push(t),
      env: {},
    });
    expect(code).toBe(EXIT_USAGE);
    expect(errs.join('')).toBe(`${message.replace('<dir>', dir)}\n`);
    expect(errs.join('')).not.toMatch(/connect|ECONNREFUSED|Unavailable/i);
  });
});
