/**
 * Critical path first, on the dev server (real time, the real task-queue rate limit as the API budget) with the
 * emulator: a webinar that starts while a big one's viewers are queued on the same control Region gets its
 * primary and its presenters ahead of that backlog, by task priority (CALL_PRIORITY, domain/chime.ts).
 * Without the tiers the queue is first in, first out: its presenters would register after every viewer batch
 * the big webinar had already scheduled.
 */
import { temporal } from '@temporalio/proto';
import { parseChimeBudgets } from '../../worker/budget';
import { startWebinarStack, waitForStatus, webinarSpec, type WebinarStack } from '../support/webinar-stack';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { AttendeeSpec, WebinarStatus } from '../../domain/types';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
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

function soon(webinarId: string, attendees: AttendeeSpec[]) {
  const now = Date.now();
  return webinarSpec(now, {
    webinarId,
    startAt: new Date(now + 3_000).toISOString(),
    endAt: new Date(now + 3_600_000).toISOString(),
    provisionLeadSeconds: 2,
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

const ms = (e: HistoryEvent): number =>
  Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);

/** When each BatchCreateAttendee of a webinar completed, and whether it held presenters. */
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
      input.attendees.every((x) => /-(host|speaker)$/.test(x.externalUserId)),
    );
  }
  return events.flatMap((e) => {
    const done = e.activityTaskCompletedEventAttributes;
    const held = presenterBatch.get(String(done?.scheduledEventId));
    return e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED && held !== undefined
      ? [{ presenters: held, at: ms(e) }]
      : [];
  });
}

it("registers a webinar's presenters ahead of the viewer backlog another webinar queued first", async () => {
  const big = await stack.start(soon('order-big', [...presenters('big'), ...viewers('big', 1_500)]));
  // The big webinar's presenters' batch and a first viewer batch are answered: its other viewer batches are
  // queued now. Read from the emulator's counters (a status query could lag behind on a loaded machine).
  await until(() => (stack.emulator.state().operations.BatchCreateAttendee?.succeeded ?? 0) >= 2, 60_000);
  const small = await stack.start(soon('order-small', [...presenters('small'), ...viewers('small', 150)]));

  // Both start 3 s after they were scheduled: provisioned means READY, or already LIVE.
  const provisioned = (s: WebinarStatus) => s.phase === 'READY' || s.phase === 'LIVE';
  const smallReady = await waitForStatus(small, provisioned, 90_000);
  expect(smallReady.presentersReady).toBe(true);
  const bigReady = await waitForStatus(
    big,
    (s) => provisioned(s) && s.attendees.registered === 1_502,
    90_000,
  );
  expect(bigReady.attendees).toEqual({ requested: 1_502, registered: 1_502, failed: 0 });

  const smallPresentersAt = (await batchCompletions(small)).find((b) => b.presenters)?.at ?? Infinity;
  const bigViewerBatches = (await batchCompletions(big)).filter((b) => !b.presenters);
  // 1,500 viewers: at least 15 batches, all scheduled before the small webinar existed.
  expect(bigViewerBatches.length).toBeGreaterThanOrEqual(15);
  const overtaken = bigViewerBatches.filter((b) => b.at > smallPresentersAt).length;
  // First in, first out gives 0 (measured with the critical tier set equal to bulk); by priority the small
  // webinar's primary and presenters overtake the big backlog (measured: 16 of 17 batches).
  expect(overtaken).toBeGreaterThanOrEqual(5);

  for (const handle of [big, small]) {
    await handle.signal('endWebinar', {});
    await handle.result();
  }
  expect(stack.liveMeetings()).toBe(0);
}, 180_000);
