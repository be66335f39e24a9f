/**
 * Bad input, end to end on the time-skipping server with the emulator behind the real activities: workflow
 * inputs through a real start, every operator action as an Update, and the worker's configuration. Each case
 * checks the error names the field and that no webinar is left half-made (no Chime call for bad inputs;
 * nothing changed in the emulator or the webinar's status for rejected actions).
 * The pure validators are covered case by case in test/domain/validation.test.ts; this suite proves the wiring.
 */
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { WebinarSpec, WebinarStatus } from '../../domain/types';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_USAGE, main as cli } from '../../client/cli';
import { ConfigError, loadWorkerConfig } from '../../worker/config';
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

/** [description, mutation of a valid spec, field the error must name (regexp source)] */
const inputCases: [string, Mutate, RegExp][] = [
  ['webinarId missing', (s) => ({ ...s, webinarId: undefined }), /webinarId/],
  ['webinarId of the wrong type', (s) => ({ ...s, webinarId: 12345 }), /webinarId/],
  ['webinarId too short', (s) => ({ ...s, webinarId: 'x' }), /webinarId/],
  ['webinarId with a slash', (s) => ({ ...s, webinarId: 'a/b' }), /webinarId/],
  ['startAt missing', (s) => ({ ...s, startAt: undefined }), /startAt/],
  ['startAt without a timezone', (s) => ({ ...s, startAt: '2031-01-01T10:00:00' }), /startAt/],
  ['endAt before startAt', (s) => ({ ...s, endAt: iso(t0 + 1800_000) }), /endAt/],
  ['more than 24 h apart', (s) => ({ ...s, endAt: iso(t0 + 26 * 3600_000) }), /endAt/],
  ['unknown primaryRegion', (s) => ({ ...s, primaryRegion: 'mars-north-1' }), /primaryRegion/],
  ['controlRegion without an API endpoint', (s) => ({ ...s, controlRegion: 'eu-west-3' }), /controlRegion/],
  [
    'duplicate replicaRegions',
    (s) => ({ ...s, replicaRegions: ['eu-west-1', 'eu-west-1'] }),
    /replicaRegions/,
  ],
  [
    'replicaRegion in another partition',
    (s) => ({ ...s, replicaRegions: ['us-gov-west-1'] }),
    /replicaRegions/,
  ],
  ['attendees not a list', (s) => ({ ...s, attendees: 'everyone' }), /attendees/],
  [
    'attendee without role',
    (s) => ({ ...s, attendees: [{ externalUserId: 'ab-1' }] }),
    /attendees\[0\]\.role/,
  ],
  [
    'attendee with an unknown role',
    (s) => ({ ...s, attendees: [{ externalUserId: 'ab-1', role: 'admin' }] }),
    /attendees\[0\]\.role/,
  ],
  [
    'duplicate externalUserId',
    (s) => ({ ...s, attendees: [...viewers(2), { externalUserId: 'v-0', role: 'host' }] }),
    /attendees\[2\]\.externalUserId/,
  ],
  [
    'reserved aws: prefix on an externalUserId',
    (s) => ({ ...s, attendees: [{ externalUserId: 'AWS:root', role: 'host' }] }),
    /attendees\[0\]\.externalUserId/,
  ],
  [
    'attendee region not a MediaRegion',
    (s) => ({ ...s, attendees: [{ externalUserId: 'ab-1', role: 'viewer', region: 'moon-1' }] }),
    /attendees\[0\]\.region/,
  ],
  ['reserved aws: prefix on the title', (s) => ({ ...s, title: 'aws:launch' }), /title/],
  [
    'too many tags',
    (s) => ({ ...s, tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }),
    /tags/,
  ],
  ['reserved aws: tag key', (s) => ({ ...s, tags: [{ Key: 'aws:owner', Value: 'x' }] }), /tags\[0\]\.Key/],
  ['too many tenantIds', (s) => ({ ...s, tenantIds: ['t1', 't2', 't3', 't4', 't5', 't6'] }), /tenantIds/],
  [
    'FHD video with more than 25 attendees per meeting',
    (s) => ({ ...s, meetingFeatures: { Video: { MaxResolution: 'FHD' }, Attendee: { MaxCount: 100 } } }),
    /meetingFeatures\.Attendee\.MaxCount/,
  ],
  [
    'MaxCount out of range',
    (s) => ({ ...s, meetingFeatures: { Attendee: { MaxCount: 300 } } }),
    /meetingFeatures\.Attendee\.MaxCount/,
  ],
  [
    'transcription with LanguageCode and IdentifyLanguage',
    (s) => ({ ...s, transcription: { LanguageCode: 'en-US', IdentifyLanguage: true } }),
    /transcription/,
  ],
  ['provisionLeadSeconds above 240', (s) => ({ ...s, provisionLeadSeconds: 300 }), /provisionLeadSeconds/],
  ['provisionLeadSeconds as a string', (s) => ({ ...s, provisionLeadSeconds: '60' }), /provisionLeadSeconds/],
  ['maxReplicas above 40', (s) => ({ ...s, maxReplicas: 41 }), /maxReplicas/],
  ['oversized roster (10,251 attendees)', (s) => ({ ...s, attendees: viewers(10_251) }), /attendees/],
  [
    'more than 250 hosts and speakers',
    (s) => ({
      ...s,
      attendees: Array.from({ length: 251 }, (_, i) => ({ externalUserId: `h-${i}`, role: 'speaker' })),
    }),
    /attendees/,
  ],
  ['misspelled field', (s) => ({ ...s, atendees: s.attendees }), /atendees/],
  ['input not an object', () => 'webinar please', /input/],
];

describe('workflow input: a real start fails with a ValidationError naming the field, before any Chime call', () => {
  let n = 0;
  it.each(inputCases)('%s', async (_name, mutate, field) => {
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
    expect(cause?.message).toMatch(field);
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
  message: RegExp,
): Promise<void> {
  const emulatorBefore = emulatorFingerprint();
  const statusBefore = withoutRejections(await handle.query(statusQuery));
  const update = operatorUpdates[action] as unknown as Parameters<Handle['executeUpdate']>[0];
  const err = await handle.executeUpdate(update, { args: [args] } as never).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((err as WorkflowUpdateFailedError).cause?.message).toMatch(message);
  expect(emulatorFingerprint()).toBe(emulatorBefore);
  expect(withoutRejections(await handle.query(statusQuery))).toEqual(statusBefore);
}

describe('operator actions: rejected with the field named, nothing changed in the emulator or the webinar', () => {
  let scheduled: Handle;
  let ready: Handle;
  let live: Handle;

  beforeAll(async () => {
    const at = await stack.env.currentTimeMs();
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

  const past = () => iso(t0 - 3600_000);
  const cases: [string, () => Handle, OperatorAction, () => unknown, RegExp][] = [
    // wrong phase
    [
      'demoteSpeaker while SCHEDULED',
      () => scheduled,
      'demoteSpeaker',
      () => ({ externalUserId: 'host-1' }),
      /phase SCHEDULED/,
    ],
    [
      'muteAllExcept while SCHEDULED',
      () => scheduled,
      'muteAllExcept',
      () => ({ externalUserIds: ['host-1'] }),
      /phase SCHEDULED/,
    ],
    [
      'reschedule startAt while LIVE',
      () => live,
      'reschedule',
      () => ({ startAt: iso(t0 + 30 * 3600_000) }),
      /startAt cannot change once the webinar is LIVE/,
    ],
    // bad arguments
    [
      'promoteSpeaker without an argument object',
      () => ready,
      'promoteSpeaker',
      () => 'host-1',
      /input|externalUserId/,
    ],
    ['promoteSpeaker with {}', () => ready, 'promoteSpeaker', () => ({}), /externalUserId/],
    [
      'promoteSpeaker with a number',
      () => ready,
      'promoteSpeaker',
      () => ({ externalUserId: 42 }),
      /externalUserId/,
    ],
    [
      'promoteSpeaker with an unknown key',
      () => ready,
      'promoteSpeaker',
      () => ({ externalUserId: 'host-1', role: 'host' }),
      /role/,
    ],
    [
      'demoteSpeaker with an aws: ID',
      () => ready,
      'demoteSpeaker',
      () => ({ externalUserId: 'aws:x1' }),
      /externalUserId/,
    ],
    [
      'removeAttendee with an empty ID',
      () => ready,
      'removeAttendee',
      () => ({ externalUserId: '' }),
      /externalUserId/,
    ],
    [
      'muteAllExcept with duplicates',
      () => ready,
      'muteAllExcept',
      () => ({ externalUserIds: ['host-1', 'host-1'] }),
      /externalUserIds\[1\]/,
    ],
    [
      'muteAllExcept with too many IDs',
      () => ready,
      'muteAllExcept',
      () => ({ externalUserIds: viewers(251).map((v) => v.externalUserId) }),
      /externalUserIds/,
    ],
    ['addAttendees with an empty list', () => ready, 'addAttendees', () => ({ attendees: [] }), /attendees/],
    [
      'addAttendees with a bad role',
      () => ready,
      'addAttendees',
      () => ({ attendees: [{ externalUserId: 'nn-1', role: 'boss' }] }),
      /attendees\[0\]\.role/,
    ],
    [
      'addAttendees with duplicates in the list',
      () => ready,
      'addAttendees',
      () => ({ attendees: [...viewers(2, 'nn'), { externalUserId: 'nn-1', role: 'viewer' }] }),
      /attendees\[2\]\.externalUserId/,
    ],
    [
      'addAttendees with an existing attendee',
      () => ready,
      'addAttendees',
      () => ({ attendees: [{ externalUserId: 'speaker-1', role: 'viewer' }] }),
      /attendees\[0\]\.externalUserId .*already an attendee/,
    ],
    [
      'addAttendees past the capacity',
      () => ready,
      'addAttendees',
      () => ({ attendees: viewers(1_240, 'big') }),
      /attendees|meetings/,
    ],
    [
      'addAttendees with an unknown region',
      () => scheduled,
      'addAttendees',
      () => ({ attendees: [{ externalUserId: 'nn-9', role: 'viewer', region: 'xx-1' }] }),
      /attendees\[0\]\.region/,
    ],
    ['reschedule with {}', () => scheduled, 'reschedule', () => ({}), /startAt|endAt/],
    ['reschedule with a startAt in the past', () => scheduled, 'reschedule', past, /startAt/],
    [
      'reschedule endAt before startAt',
      () => scheduled,
      'reschedule',
      () => ({ startAt: iso(t0 + 12 * 3600_000), endAt: iso(t0 + 11 * 3600_000) }),
      /endAt/,
    ],
    [
      'reschedule with no timezone',
      () => scheduled,
      'reschedule',
      () => ({ startAt: '2031-01-01T10:00:00' }),
      /startAt/,
    ],
    [
      'reschedule beyond 24 h',
      () => ready,
      'reschedule',
      () => ({ endAt: iso(t0 + 40 * 3600_000) }),
      /endAt/,
    ],
    [
      'startTranscription with {}',
      () => ready,
      'startTranscription',
      () => ({}),
      /LanguageCode|IdentifyLanguage/,
    ],
    [
      'startTranscription with a bad Region',
      () => ready,
      'startTranscription',
      () => ({ LanguageCode: 'en-US', Region: 'mars-1' }),
      /Region/,
    ],
    [
      'stopTranscription with arguments',
      () => ready,
      'stopTranscription',
      () => ({ now: true }),
      /empty object/,
    ],
    [
      'endWebinar with an over-long reason',
      () => ready,
      'endWebinar',
      () => ({ reason: 'x'.repeat(300) }),
      /reason/,
    ],
    ['endWebinar with a numeric reason', () => ready, 'endWebinar', () => ({ reason: 7 }), /reason/],
    // unknown attendees
    [
      'promoteSpeaker of an unknown attendee',
      () => ready,
      'promoteSpeaker',
      () => ({ externalUserId: 'ghost-1' }),
      /externalUserId ghost-1 is not an attendee/,
    ],
    [
      'demoteSpeaker of an unknown attendee',
      () => live,
      'demoteSpeaker',
      () => ({ externalUserId: 'ghost-2' }),
      /externalUserId ghost-2 is not an attendee/,
    ],
    [
      'removeAttendee of an unknown attendee',
      () => ready,
      'removeAttendee',
      () => ({ externalUserId: 'ghost-3' }),
      /externalUserId ghost-3 is not an attendee/,
    ],
    [
      'muteAllExcept with an unknown attendee',
      () => live,
      'muteAllExcept',
      () => ({ externalUserIds: ['host-1', 'ghost-4'] }),
      /ghost-4 is not an attendee/,
    ],
  ];

  it.each(cases)('%s', async (_name, handle, action, args, message) => {
    await expectRejected(handle(), action, args(), message);
  });
});

describe('worker configuration: ConfigError naming the variable, before anything connects', () => {
  const cases: [string, NodeJS.ProcessEnv, string][] = [
    ['TEMPORAL_ADDRESS without a port', { TEMPORAL_ADDRESS: 'localhost' }, 'TEMPORAL_ADDRESS'],
    ['TEMPORAL_NAMESPACE with spaces', { TEMPORAL_NAMESPACE: 'my namespace' }, 'TEMPORAL_NAMESPACE'],
    ['CHIME_ENDPOINT not a URL', { CHIME_ENDPOINT: 'emulator:8080' }, 'CHIME_ENDPOINT'],
    ['CHIME_REGION without an API', { CHIME_REGION: 'eu-west-3' }, 'CHIME_REGION'],
    [
      'CHIME_CONTROL_REGIONS with a bad entry',
      { CHIME_CONTROL_REGIONS: 'us-east-1,mars-1' },
      'CHIME_CONTROL_REGIONS',
    ],
    [
      'CHIME_MAX_CONCURRENT_ACTIVITIES zero',
      { CHIME_MAX_CONCURRENT_ACTIVITIES: '0' },
      'CHIME_MAX_CONCURRENT_ACTIVITIES',
    ],
    ['METRICS_PORT out of range', { METRICS_PORT: '70000' }, 'METRICS_PORT'],
    ['LOG_LEVEL unknown', { LOG_LEVEL: 'LOUD' }, 'LOG_LEVEL'],
    ['CHIME_BUDGET_PER_SECOND negative', { CHIME_BUDGET_PER_SECOND: '-5' }, 'CHIME_BUDGET_PER_SECOND'],
    [
      'PAYLOAD_ENCRYPTION_KEYS with a short key',
      { PAYLOAD_ENCRYPTION_KEYS: 'k1:AAAA' },
      'PAYLOAD_ENCRYPTION_KEYS',
    ],
  ];

  it.each(cases)('%s', (_name, env, variable) => {
    let err: unknown;
    try {
      loadWorkerConfig(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    if (err instanceof ConfigError) expect(err.problems.map((p) => p.variable)).toContain(variable);
    expect((err as Error).message).toContain(variable);
  });

  it('reports every bad variable at once', () => {
    expect(() =>
      loadWorkerConfig({ TEMPORAL_ADDRESS: 'nope', METRICS_PORT: 'x', LOG_LEVEL: 'LOUD' }),
    ).toThrow(ConfigError);
    try {
      loadWorkerConfig({ TEMPORAL_ADDRESS: 'nope', METRICS_PORT: 'x', LOG_LEVEL: 'LOUD' });
    } catch (e) {
      expect((e as ConfigError).problems.map((p) => p.variable).sort()).toEqual(
        ['LOG_LEVEL', 'METRICS_PORT', 'TEMPORAL_ADDRESS'].sort(),
      );
    }
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

  const cases: [string, () => string[], RegExp][] = [
    [
      'schedule: bad primaryRegion',
      () => ['schedule', file('a.json', specJson({ primaryRegion: 'mars-1' }))],
      /primaryRegion/,
    ],
    [
      'schedule: end before start',
      () => ['schedule', file('b.json', specJson({ endAt: '2030-01-01T00:00:00Z' }))],
      /endAt/,
    ],
    ['schedule: aws: title', () => ['schedule', file('c.json', specJson({ title: 'aws:x' }))], /title/],
    ['schedule: spec file missing', () => ['schedule', join(dir, 'missing.json')], /does not exist/],
    ['schedule: spec not JSON', () => ['schedule', file('d.json', '{ nope')], /not valid JSON/],
    [
      'add-attendees: bad role in the CSV',
      () => ['add-attendees', 'w-1', file('e.csv', 'ab-1,boss\n')],
      /line 1 role/,
    ],
    [
      'add-attendees: aws: prefix in the CSV',
      () => ['add-attendees', 'w-1', file('f.csv', 'aws:x1,viewer\n')],
      /line 1 externalUserId/,
    ],
    [
      'add-attendees: duplicate in the CSV',
      () => ['add-attendees', 'w-1', file('g.csv', 'ab-1,viewer\nab-1,viewer\n')],
      /line 2 externalUserId/,
    ],
    [
      'mute-all-except: duplicate IDs',
      () => ['mute-all-except', 'w-1', 'ab-1', 'ab-1'],
      /externalUserIds\[1\]/,
    ],
    [
      'reschedule: start without timezone',
      () => ['reschedule', 'w-1', '--start', '2031-01-01T10:00:00'],
      /startAt/,
    ],
    ['end: reason too long', () => ['end', 'w-1', '--reason', 'x'.repeat(300)], /reason/],
    ['unknown command', () => ['explode', 'w-1'], /Unknown command/],
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
    expect(errs.join('')).toMatch(message);
    expect(errs.join('')).not.toMatch(/connect|ECONNREFUSED|Unavailable/i);
  });
});
