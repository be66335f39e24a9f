/**
 * What replaying histories cannot see, proven by behaviour on the time-skipping server with the emulator:
 * - teardown deletes the primary and nothing else: deleting a primary deletes its replicas (a replica deleted
 *   first would leave the primary idle with its attendees' replicas gone; one deleted after is a wasted call);
 * - the first check of the meetings comes one health-check interval (60 s) after READY, not at once;
 * - a webinar wakes to provision its spread offset before the provisioning time (domain/wake-spread.ts), not at it.
 * Replay cannot catch a replica deleted on its own (same activity type, so the commands still match) or a changed
 * timer length (Temporal does not compare timer durations), so both are asserted here from the stored history.
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { WEBINAR_PHASE } from '../../domain/search-attributes';
import { wakeOffsetMs } from '../../domain/wake-spread';
import { operatorUpdates } from '../../workflows/definitions';
import { eventTimeMs } from '../support/event-time';
import { useWebinarStack, waitForStatus, webinarSpec, type WebinarStack } from '../support/webinar-stack';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = temporal.api.enums.v1;

/** The documented interval of the meetings' health check (docs/workflow.md): one minute. */
const HEALTH_CHECK_INTERVAL_MS = 60_000;

const stackOf = useWebinarStack({ server: 'time-skipping' });
let stack: WebinarStack;

beforeEach(() => {
  stack = stackOf();
});

afterEach(() => {
  const left = stack.liveMeetings();
  stack.emulator.reset();
  expect(left).toBe(0);
});

const decode = (p: Payload | null | undefined): unknown =>
  p ? defaultPayloadConverter.fromPayload(p) : undefined;

function scheduled(events: HistoryEvent[], activity: string): HistoryEvent[] {
  return events.filter(
    (e) =>
      e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
      e.activityTaskScheduledEventAttributes?.activityType?.name === activity,
  );
}

/** The event that published `phase` (the WebinarPhase search attribute), if any. */
function phaseEvent(events: HistoryEvent[], phase: string): HistoryEvent | undefined {
  return events.find(
    (e) =>
      e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES &&
      decode(
        e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.[
          WEBINAR_PHASE.name
        ],
      ) === phase,
  );
}

const viewers = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ externalUserId: `v-${i}`, role: 'viewer' as const }));

it('teardown deletes the primary only: its replicas go with it, and nothing is left', async () => {
  const now = await stack.env.currentTimeMs();
  const handle = await stack.start(
    webinarSpec(now, {
      // 600 viewers: the primary (240 and headroom) and two replicas.
      replicaRegions: [],
      attendees: viewers(600),
    }),
  );
  await stack.env.sleep(3600_000 - 120_000 + 1_000);
  const ready = await waitForStatus(handle, (s) => s.phase === 'READY' && s.attendees.registered === 600);
  expect(ready.replicas).toHaveLength(2);
  const primaryId = ready.primary?.meetingId;
  await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
  await handle.result();

  const events = (await handle.fetchHistory()).events ?? [];
  const target = (e: HistoryEvent) =>
    (decode(e.activityTaskScheduledEventAttributes?.input?.payloads?.[0]) as { meetingId: string }).meetingId;
  expect(scheduled(events, 'deleteMeeting').map(target)).toEqual([primaryId]);
  expect(stack.liveMeetings()).toBe(0);
});

it('checks the meetings first one interval after READY, then every interval', async () => {
  const now = await stack.env.currentTimeMs();
  const handle = await stack.start(webinarSpec(now, { replicaRegions: [] }));
  await stack.env.sleep(3600_000 - 120_000 + 1_000);
  await waitForStatus(handle, (s) => s.phase === 'READY' && s.attendees.registered === 22);
  // Two intervals and a bit: the webinar is still READY (it starts 120 s after provisioning began).
  await stack.env.sleep(2 * HEALTH_CHECK_INTERVAL_MS + 1_000);
  await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
  await handle.result();

  const events = (await handle.fetchHistory()).events ?? [];
  const readyAt = phaseEvent(events, 'READY');
  expect(readyAt).toBeInstanceOf(Object);
  const checks = scheduled(events, 'getMeeting').map(
    (e) => eventTimeMs(e) - eventTimeMs(readyAt as HistoryEvent),
  );
  expect(checks).toHaveLength(2);
  // Times are the server's virtual clock: each check is due exactly one interval after the last; the clock
  // also runs on in real time while a workflow task is processed, which the 5 s margin bounds (this is not a
  // speed claim: a check at once, or at 30 s, is what it rules out).
  for (const [i, at] of checks.entries()) {
    expect(at).toBeGreaterThanOrEqual((i + 1) * HEALTH_CHECK_INTERVAL_MS);
    expect(at).toBeLessThan((i + 1) * HEALTH_CHECK_INTERVAL_MS + 5_000);
  }
});

it('wakes to provision its spread offset before the provisioning time, not at it', async () => {
  // An ID whose offset is at least half the spread, so waking at the provisioning time itself cannot pass.
  const webinarId = Array.from({ length: 50 }, (_, i) => `spread-${i}`).find((id) => wakeOffsetMs(id) >= 500);
  if (!webinarId) throw new Error('no candidate ID has an offset of 500 ms or more');
  const now = await stack.env.currentTimeMs();
  const spec = webinarSpec(now, { webinarId, replicaRegions: [], provisionLeadSeconds: 120 });
  const handle = await stack.start(spec);
  await stack.env.sleep(3600_000 - 120_000 + 1_000);
  await waitForStatus(handle, (s) => s.phase === 'READY' && s.attendees.registered === 22);
  await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
  await handle.result();

  const events = (await handle.fetchHistory()).events ?? [];
  const provisioning = phaseEvent(events, 'PROVISIONING');
  expect(provisioning).toBeInstanceOf(Object);
  const provisionAt = Date.parse(spec.startAt) - 120_000;
  // The server's virtual clock: the timer fires at the offset exactly; the clock runs on in real time while the
  // workflow task that publishes the phase is processed, which the 500 ms margin bounds.
  const early = provisionAt - eventTimeMs(provisioning as HistoryEvent);
  expect(early).toBeLessThanOrEqual(wakeOffsetMs(webinarId));
  expect(early).toBeGreaterThan(wakeOffsetMs(webinarId) - 500);
});
