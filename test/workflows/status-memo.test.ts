/**
 * The status read model (issue #24) on the dev server: the memo follows the phases and the counts, a client
 * reads it with no worker running, and `list` filters by phase and start window with the memo's counts.
 */
import { WebinarClient } from '../../client/library/webinar-client';
import type { WebinarSummary } from '../../client/library/webinar-list';
import { STATUS_MEMO_KEY, STATUS_MEMO_MAX_BYTES, type WebinarStatusRead } from '../../domain/status-memo';
import type { WebinarPhase } from '../../domain/phases';
import { WEBINAR_PHASES } from '../../domain/phases';
import { webinarWorkflowId } from '../../workflows/definitions';
import { soonWebinarSpec, startWebinarStack, webinarSpec, type WebinarStack } from '../support/webinar-stack';

let stack: WebinarStack;
let client: WebinarClient;

beforeAll(async () => {
  stack = await startWebinarStack({ server: 'dev' });
  client = new WebinarClient(stack.env.client, { taskQueue: stack.taskQueue, calendar: false });
});

afterAll(async () => {
  await stack?.shutdown();
});

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what} never matched; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const listed = (rows: WebinarSummary[]) => rows.map((r) => r.webinarId);

it('publishes phases and counts that a client reads without a worker; list filters by phase and start', async () => {
  // 22 attendees with viewers in eu-west-1: a primary and a replica.
  const spec = soonWebinarSpec({ promotionReserve: 0 });
  const later = webinarSpec(Date.now(), { startAt: new Date(Date.now() + 7_200_000).toISOString() });
  later.endAt = new Date(Date.parse(later.startAt) + 3_600_000).toISOString();
  await client.schedule(spec);
  await client.schedule(later);

  // Poll the memo only: the phases it shows come in lifecycle order, up to LIVE with everyone registered.
  const seen: WebinarPhase[] = [];
  const live = await until(
    'the memo at LIVE',
    () => client.status(spec.webinarId),
    (s: WebinarStatusRead) => {
      if (seen[seen.length - 1] !== s.phase) seen.push(s.phase);
      return s.phase === 'LIVE';
    },
  );
  expect(seen.map((p) => WEBINAR_PHASES.indexOf(p))).toEqual(
    [...seen.map((p) => WEBINAR_PHASES.indexOf(p))].sort((a, b) => a - b),
  );
  expect(live).toMatchObject({
    source: 'memo',
    webinarId: spec.webinarId,
    phase: 'LIVE',
    startAt: spec.startAt,
    endAt: spec.endAt,
    generation: 1,
    attendees: { requested: 22, registered: 22, failed: 0 },
    presenters: { requested: 2, registered: 2, failed: 0 },
    presentersReady: true,
    primary: { region: 'us-east-1' },
    speakerCount: 2,
    transcription: 'OFF',
    rejected: [],
  });
  expect(Date.parse(live.updatedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(spec.startAt));

  // The live query agrees on everything both carry.
  const queried = await client.status(spec.webinarId, { live: true });
  expect(queried.source).toBe('query');
  for (const field of ['phase', 'generation', 'attendees', 'presenters', 'presentersReady'] as const) {
    expect(live[field]).toEqual(queried[field]);
  }
  expect(live.meetingCount).toBe(queried.meetingCount);
  expect(live.replicas).toHaveLength(queried.replicas.length);
  expect(live.speakerCount).toBe(queried.speakers.length);

  // The memo is small and names no attendee.
  const memo: unknown = (await client.handle(spec.webinarId).describe()).memo?.[STATUS_MEMO_KEY];
  const text = JSON.stringify(memo);
  expect(Buffer.byteLength(text)).toBeLessThan(STATUS_MEMO_MAX_BYTES);
  for (const a of spec.attendees) expect(text).not.toContain(`"${a.externalUserId}"`);
  expect(text).not.toMatch(/host-1|speaker-1|viewer-/);

  // list: by phase, and by start window, with the memo's counts.
  const liveRows = await until(
    'list --phase LIVE',
    () => client.list({ phase: 'LIVE' }),
    (rows) => listed(rows).includes(spec.webinarId),
  );
  expect(listed(liveRows)).not.toContain(later.webinarId);
  expect(liveRows.find((r) => r.webinarId === spec.webinarId)).toMatchObject({
    phase: 'LIVE',
    startAt: new Date(Date.parse(spec.startAt)).toISOString(),
    attendees: { requested: 22, registered: 22, failed: 0 },
    meetings: live.meetingCount,
  });
  const scheduled = await until(
    'list --phase SCHEDULED',
    () => client.list({ phase: 'SCHEDULED' }),
    (rows) => listed(rows).includes(later.webinarId),
  );
  expect(listed(scheduled)).not.toContain(spec.webinarId);
  expect(scheduled.find((r) => r.webinarId === later.webinarId)?.attendees).toEqual({
    requested: 22,
    registered: 0,
    failed: 0,
  });
  const laterStart = Date.parse(later.startAt);
  const window = await client.list({
    startsFrom: new Date(laterStart - 1_000),
    startsBefore: new Date(laterStart + 1_000).toISOString(),
  });
  expect(listed(window)).toEqual([later.webinarId]);
  await expect(client.list({ startsFrom: 'not a date' })).rejects.toThrow(/startsFrom/);

  // No worker: the memo still answers at once, as it was at the last upsert.
  await stack.stopWorkers();
  const started = Date.now();
  const without = await client.status(spec.webinarId);
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(without).toMatchObject({
    source: 'memo',
    phase: 'LIVE',
    attendees: { requested: 22, registered: 22, failed: 0 },
    meetingCount: live.meetingCount,
    updatedAt: live.updatedAt,
  });
  expect(await client.status(later.webinarId)).toMatchObject({ source: 'memo', phase: 'SCHEDULED' });

  // Nothing must outlive the test's server: terminate both runs (no worker is left to tear down).
  for (const id of [spec.webinarId, later.webinarId]) {
    await stack.env.client.workflow.getHandle(webinarWorkflowId(id)).terminate('test over');
  }
});
