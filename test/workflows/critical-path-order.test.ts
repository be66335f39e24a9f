/**
 * The order of the calls on one control Region's budget, on the dev server (real time, the real task-queue rate
 * limit as the API budget, fairness on as the project runs it) with the emulator:
 * - critical path first: a webinar that starts provisioning while a big one's viewers are queued gets its
 *   primary and its presenters ahead of that backlog, by task priority (CALL_PRIORITY, domain/budget/), even
 *   when the big one starts sooner and so weighs more;
 * - earlier starts first: of two webinars provisioning together, the one that starts sooner gets most of the
 *   budget (its fairness weight, startWeight), even when the other one queued its calls first;
 * - a small webinar is not starved: its replica opens ahead of the calls a big one queued first (fairness per
 *   webinar within a tier).
 */
import { temporal } from '@temporalio/proto';
import { parseChimeBudgets } from '../../worker/budget/config';
import { wakeOffsetMs } from '../../domain/wake-spread';
import { eventTimeMs } from '../support/event-time';
import { startWebinarStack, waitForStatus, webinarSpec, type WebinarStack } from '../support/webinar-stack';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { AttendeeSpec, WebinarStatus } from '../../domain/types';

const { EventType } = temporal.api.enums.v1;

/** A tight budget, so a 1,500-viewer registration is a backlog of several seconds. */
const BUDGET_PER_SECOND = 2;

let stack: WebinarStack;

beforeAll(async () => {
  stack = await startWebinarStack({
    server: 'dev',
    // 1,502 attendees need 6 meetings: more replicas than the default quota of 4.
    emulator: { limits: { replicasPerPrimary: 10 } },
    budgets: parseChimeBudgets({ CHIME_BUDGET_PER_SECOND: String(BUDGET_PER_SECOND) }),
  });
});

afterAll(async () => {
  await stack?.shutdown();
});

const presenters = (tag: string) => [
  { externalUserId: `${tag}-host`, role: 'host' as const },
  { externalUserId: `${tag}-speaker`, role: 'speaker' as const },
];
const viewers = (tag: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ externalUserId: `${tag}-v-${i}`, role: 'viewer' as const }));

function soon(webinarId: string, attendees: AttendeeSpec[], leadSeconds = 2, provisionInMs = 1_000) {
  const now = Date.now();
  return webinarSpec(now, {
    webinarId,
    startAt: new Date(now + provisionInMs + leadSeconds * 1000).toISOString(),
    endAt: new Date(now + 3_600_000).toISOString(),
    provisionLeadSeconds: leadSeconds,
    replicaRegions: [],
    maxReplicas: 10,
    attendees,
  });
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** When each Chime call of a webinar (or only those of `activity`) completed, in order. */
async function completedAt(handle: WorkflowHandle, activity?: string): Promise<number[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = new Set(
    events
      .filter((e) => {
        const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
        return name !== undefined && (activity === undefined || name === activity);
      })
      .map((e) => String(e.eventId)),
  );
  return events
    .filter((e) => scheduled.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId)))
    .map(eventTimeMs)
    .sort((a, b) => a - b);
}

/** When a webinar scheduled its first Chime call (its primary's CreateMeeting). */
async function firstCallAt(handle: WorkflowHandle): Promise<number> {
  const first = ((await handle.fetchHistory()).events ?? []).find(
    (e) => e.activityTaskScheduledEventAttributes,
  );
  return first ? eventTimeMs(first) : -Infinity;
}

async function endAll(...handles: WorkflowHandle[]): Promise<void> {
  for (const handle of handles) {
    await handle.signal('endWebinar', {});
    await handle.result();
  }
  expect(stack.liveMeetings()).toBe(0);
}

/** When each BatchCreateAttendee of a webinar completed, and whether it held presenters (topped up with viewers). */
async function batchCompletions(handle: WorkflowHandle): Promise<{ presenters: boolean; at: number }[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  const presenterBatch = new Map<string, boolean>();
  for (const e of events) {
    const a = e.activityTaskScheduledEventAttributes;
    if (
      e.eventType !== EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED ||
      a?.activityType?.name !== 'batchCreateAttendee'
    )
      continue;
    const input = defaultPayloadConverter.fromPayload<{ attendees: { externalUserId: string }[] }>(
      a.input?.payloads?.[0] ?? {},
    );
    presenterBatch.set(
      String(e.eventId),
      input.attendees.some((x) => /-(host|speaker)$/.test(x.externalUserId)),
    );
  }
  return events.flatMap((e) => {
    const done = e.activityTaskCompletedEventAttributes;
    const held = presenterBatch.get(String(done?.scheduledEventId));
    return e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED && held !== undefined
      ? [{ presenters: held, at: eventTimeMs(e) }]
      : [];
  });
}

it("registers a webinar's primary and presenters ahead of the viewer backlog of a webinar that starts sooner", async () => {
  // The big webinar starts sooner, so its calls weigh far more (startWeight: 2 s against 200 s to the start,
  // about 80 to 1): only the tier puts the small webinar's critical path ahead of them.
  const big = await stack.start(soon('order-big', [...presenters('big'), ...viewers('big', 1_500)]));
  // The big webinar's presenters' batch and a first viewer batch are answered: its other calls are queued now.
  // Read from the emulator's counters (a status query could lag behind on a loaded machine).
  await until(() => (stack.emulator.state().operations.BatchCreateAttendee?.succeeded ?? 0) >= 2, 60_000);
  const small = await stack.start(
    soon('order-small', [...presenters('small'), ...viewers('small', 150)], 200, 0),
  );

  const smallReady = await waitForStatus(small, (s) => s.attendees.registered === 152, 90_000);
  expect(smallReady.presentersReady).toBe(true);
  const bigReady = await waitForStatus(big, (s) => s.attendees.registered === 1_502, 90_000);
  expect(bigReady.attendees).toEqual({ requested: 1_502, registered: 1_502, failed: 0 });

  const from = await firstCallAt(small);
  const smallPresentersAt = (await batchCompletions(small)).find((b) => b.presenters)?.at ?? Infinity;
  const bigCalls = await completedAt(big);
  // 1,500 viewers: 6 meetings and 16 batches, most of them still to come when the small webinar began.
  expect(bigCalls.length).toBeGreaterThanOrEqual(20);
  const between = bigCalls.filter((at) => at > from && at < smallPresentersAt).length;
  // By the tier, the small webinar's 2 critical calls take the next 2 slots: none of the big webinar's calls
  // is answered in between. With the critical tier set equal to bulk (mutation critical-path-as-bulk), the
  // weights put all of the big webinar's backlog first (15 of 15).
  expect(between).toBeLessThanOrEqual(4);
  await endAll(big, small);
}, 180_000);

it('gives the webinar that starts sooner most of the budget, even when the later one queued its calls first', async () => {
  // The later one wakes to provision 0.8 s before the other (each wakes wakeOffsetMs early), so its first
  // calls are queued first and first in, first out would favour it.
  // 602 attendees each: 3 meetings and 8 batches, about 11 calls, 5.5 s of the budget each.
  const laterWakesInMs = 1_000 - wakeOffsetMs('order-later');
  const later = await stack.start(
    soon('order-later', [...presenters('later'), ...viewers('later', 600)], 200),
  );
  const sooner = await stack.start(
    soon(
      'order-sooner',
      [...presenters('sooner'), ...viewers('sooner', 600)],
      20,
      laterWakesInMs + 800 + wakeOffsetMs('order-sooner'),
    ),
  );
  const provisioned = (s: WebinarStatus) => s.attendees.registered === 602;
  await waitForStatus(sooner, provisioned, 90_000);
  await waitForStatus(later, provisioned, 90_000);

  const lastBatch = async (h: WorkflowHandle) => Math.max(...(await batchCompletions(h)).map((b) => b.at));
  const soonerDone = await lastBatch(sooner);
  const laterDone = await lastBatch(later);
  const firstCall = Math.min(
    ...(await completedAt(later, 'createMeeting')),
    ...(await completedAt(sooner, 'createMeeting')),
  );
  // Weights 2^((240 − 20) / 30) against 2^((240 − 200) / 30): about 64 to 1. Equal shares would end both
  // together (at about 11 s), first in, first out would end the later one first; by weight the sooner one
  // ends in about half the time the other takes.
  expect(soonerDone).toBeLessThan(laterDone);
  expect((soonerDone - firstCall) / (laterDone - firstCall)).toBeLessThan(0.75);
  await endAll(later, sooner);
}, 180_000);

it("opens a small webinar's replica ahead of the big webinar's backlog queued before it", async () => {
  // Same start; the big one is scheduled first, so first in, first out would queue its calls first.
  const big = await stack.start(soon('fair-big', [...presenters('fbig'), ...viewers('fbig', 1_400)]));
  // The big webinar's primary is answered and its replicas and viewers are queued before the small one starts.
  const created = () => stack.emulator.state().operations.CreateMeeting?.succeeded ?? 0;
  const before = created();
  await until(() => created() > before, 60_000);
  const small = await stack.start(
    soon('fair-small', [...presenters('fsmall'), ...viewers('fsmall', 300)], 2, 900),
  );
  const provisioned = (total: number) => (s: WebinarStatus) => s.attendees.registered === total;
  await waitForStatus(small, provisioned(302), 90_000);
  await waitForStatus(big, provisioned(1_402), 90_000);

  const smallReplicaAt = (await completedAt(small, 'createMeeting'))[1] ?? Infinity;
  expect(await completedAt(big, 'createMeeting')).toHaveLength(6);
  const from = await firstCallAt(small);
  const bigCallsBefore = (await completedAt(big)).filter((at) => at > from && at < smallReplicaAt).length;
  // Fairness per webinar within the bulk tier: measured 0 of the big webinar's calls answered between the small
  // webinar's first call and its replica opening; with fairness off (first in, first out), 13.
  expect(bigCallsBefore).toBeLessThanOrEqual(3);
  await endAll(big, small);
}, 180_000);
