/**
 * Benchmark 10: attendance from meeting events. A full-size webinar (10,250 attendees in 41 meetings) with the
 * credential store; the emulator puts Chime's meeting events on its SQS queue (a share of them twice,
 * `events.duplicateRate`) and an events bridge in this process signals them to the webinar.
 *
 * 1. Every attendee connects within 10 s: how long after the last join the published status (the memo) counts
 *    them all. The reference, in the same run: the bridge's Signal interval.
 * 2. Every attendee leaves within 10 s (5 % dropped), with the bridge killed halfway (no flush: what it had
 *    received comes back after the visibility timeout) and a new one started a second later: the counts and
 *    the stored report must be exact (no event lost, none counted twice).
 * 3. The service ends the primary: the time to the first teardown or re-provisioning call, with the bridge
 *    running, and (the reference, same run) without it, when only the 60 s meeting check can notice.
 * Throughout: the Signals per webinar (at most one a second) and the history events the attendance added.
 */
import { ChimeSDKMeetingsClient, DeleteMeetingCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { openCredentialStore } from '../activities/credentials';
import { dataConverterFromEnvironment } from '../client/temporal/data-converter';
import { EMULATOR_CREDENTIALS } from '../activities/clients';
import { startEventsBridge, type EventsBridge } from '../client/events-bridge/bridge';
import { DEFAULT_TUNING } from '../client/events-bridge/config';
import { bridgeMetrics } from '../client/events-bridge/metrics';
import { eventsQueue, sqsClientOf } from '../client/events-bridge/queue';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { STATUS_MEMO_KEY, isStatusMemo, type StatusMemo } from '../domain/status-memo';
import type { WorkflowHandle } from '@temporalio/client';
import { statusQuery } from '../workflows/definitions';
import { firstReprovisioningCallAfter, meetingEventSignals } from './attendance/history';
import { wholeHistory } from './support/histories';
import { sleep, waitForStatus } from './support/polling';
import { log, type BenchOutcome, type Goal } from './support/results';
import { startBenchStack } from './support/stack';
import { round } from './support/stats';
import { CONTROL_REGION, finishWebinars, roster, soonSpec } from './support/webinars';

const QUEUE = 'chime-meeting-events';
const DUPLICATE_RATE = 0.02;
const WINDOW_MS = 10_000;
const TICK_MS = 100;
/** The bridge's visibility timeout here: what a killed bridge had received comes back this soon. */
const VISIBILITY_SECONDS = 5;

type Seat = { externalUserId: string; meetingId: string; attendeeId: string };

/** The current run's history length and size in bytes (the server's count). */
async function historyOf(handle: WorkflowHandle): Promise<{ runId: string; events: number; bytes: number }> {
  const d = await handle.describe();
  return {
    runId: d.runId,
    events: d.historyLength,
    bytes: Number(d.raw.workflowExecutionInfo?.historySizeBytes ?? 0),
  };
}

async function memoOf(handle: WorkflowHandle): Promise<StatusMemo | undefined> {
  const memo = (await handle.describe()).memo?.[STATUS_MEMO_KEY];
  return isStatusMemo(memo) ? memo : undefined;
}

/** Polls the memo every 50 ms until `predicate` holds; the time it first held. */
async function whenPublished(
  handle: WorkflowHandle,
  predicate: (m: StatusMemo) => boolean,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const memo = await memoOf(handle);
    if (memo && predicate(memo)) return { at: Date.now(), memo };
    if (Date.now() > deadline) throw new Error(`the published status never matched: ${JSON.stringify(memo)}`);
    await sleep(50);
  }
}

/** Runs `act` on every seat, spread evenly over WINDOW_MS; `midway` runs once at half time. */
async function paced(seats: Seat[], act: (s: Seat, i: number) => void, midway?: () => Promise<void>) {
  const ticks = WINDOW_MS / TICK_MS;
  const per = Math.ceil(seats.length / ticks);
  const t0 = Date.now();
  for (let tick = 0; tick < ticks; tick++) {
    seats.slice(tick * per, (tick + 1) * per).forEach((s, i) => act(s, tick * per + i));
    if (tick === ticks / 2 && midway) await midway();
    await sleep(Math.max(0, t0 + (tick + 1) * TICK_MS - Date.now()));
  }
  return Date.now();
}

export async function benchAttendance(quick: boolean): Promise<BenchOutcome> {
  const attendees = quick ? 2_500 : 10_250;
  const store = await openCredentialStore({ engine: 'pglite' }, undefined);
  const stack = await startBenchStack({
    credentials: store,
    // As production runs: payloads compressed (Signals of 2,000 events, the carried state).
    dataConverter: dataConverterFromEnvironment({}),
    emulator: { events: { defaultQueues: { [CONTROL_REGION]: QUEUE }, duplicateRate: DUPLICATE_RATE } },
  });
  const settings = { queueUrl: '', region: CONTROL_REGION, endpoint: stack.emulator.endpoint };
  const sqs = sqsClientOf(settings);
  settings.queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: QUEUE }))).QueueUrl ?? '';
  const metrics = bridgeMetrics();
  const startBridge = (): EventsBridge =>
    startEventsBridge({
      client: stack.env.client,
      queue: eventsQueue(settings, sqs),
      tuning: { ...DEFAULT_TUNING, waitSeconds: 1, visibilitySeconds: VISIBILITY_SECONDS },
      metrics,
      log: () => undefined,
    });
  let bridge: EventsBridge | undefined;
  try {
    const webinarId = `attendance-${Date.now() % 100000}`;
    const spec = { ...soonSpec(webinarId, roster(attendees)), promotionReserve: 0 };
    const handle = await stack.start(spec);
    await waitForStatus(handle, (s) => s.phase === 'READY' || s.phase === 'LIVE', 300_000);
    const snapshot = await store.readWebinar(webinarId);
    const seats: Seat[] = spec.attendees.map((a) => {
      const [c] = snapshot.getAll(a.externalUserId);
      return {
        externalUserId: a.externalUserId,
        meetingId: c?.meeting.MeetingId ?? '',
        attendeeId: c?.attendee.AttendeeId ?? '',
      };
    });
    if (seats.some((s) => !s.attendeeId)) throw new Error('an attendee has no stored credentials');
    const historyBefore = await historyOf(handle);
    bridge = startBridge();

    // 1. Joins.
    const joinsFrom = Date.now();
    const lastJoin = await paced(seats, (s) => stack.emulator.connect(s.meetingId, s.attendeeId));
    const joined = await whenPublished(handle, (m) => m.attendance?.joined === attendees, 60_000);
    const countedAfterMs = joined.at - lastJoin;

    // 2. Leaves, 5 % dropped, the bridge killed halfway.
    const dropped = new Set(seats.filter((_, i) => i % 20 === 7).map((s) => s.externalUserId));
    let killedBridge: EventsBridge | undefined = bridge;
    const lastLeave = await paced(
      seats,
      (s) =>
        dropped.has(s.externalUserId)
          ? stack.emulator.drop(s.meetingId, s.attendeeId)
          : stack.emulator.disconnect(s.meetingId, s.attendeeId),
      async () => {
        await killedBridge?.stop({ flush: false });
        killedBridge = undefined;
        await sleep(1_000);
        bridge = startBridge();
      },
    );
    const left = await whenPublished(
      handle,
      (m) => m.attendance?.connected === 0 && m.attendance.dropped === dropped.size,
      120_000,
    );
    const leavesCountedAfterMs = left.at - lastLeave;
    const historyAfter = await historyOf(handle);
    const attendanceHistory = historyAfter.events - historyBefore.events;
    // A continue-as-new in between would start the count again: then the figure is of the new run only.
    const attendanceBytes = historyAfter.bytes - historyBefore.bytes;
    const signalFacts = meetingEventSignals((await wholeHistory(handle)).events ?? [], joinsFrom);

    // 3. The primary ended by the service: with the bridge, then (the reference) without it.
    const chime = new ChimeSDKMeetingsClient({
      region: CONTROL_REGION,
      endpoint: stack.emulator.endpoint,
      credentials: EMULATOR_CREDENTIALS,
    });
    const endPrimary = async (): Promise<number> => {
      const primary = await handle.query(statusQuery);
      const at = Date.now();
      await chime.send(new DeleteMeetingCommand({ MeetingId: primary.primary?.meetingId }));
      return at;
    };
    const untilCall = async (endedAt: number, timeoutMs: number): Promise<number> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const at = firstReprovisioningCallAfter((await wholeHistory(handle)).events ?? [], endedAt);
        if (at !== undefined) return at - endedAt;
        if (Date.now() > deadline) throw new Error('no call after the primary ended');
        await sleep(100);
      }
    };
    const generation = await handle.query(statusQuery);
    const withEvents = await untilCall(await endPrimary(), 30_000);
    await waitForStatus(
      handle,
      (s) => s.generation === generation.generation + 1 && s.attendees.registered === attendees,
      300_000,
    );
    await bridge.stop();
    bridge = undefined;
    const withoutEvents = await untilCall(await endPrimary(), 90_000);
    chime.destroy();

    await finishWebinars([handle]);
    const outcome = await handle.result();
    const rows = await store.readAttendance(webinarId);
    const wrong = rows.filter(
      (r) => r.joins !== 1 || r.drops !== (dropped.has(r.externalUserId) ? 1 : 0) || r.firstJoinAt === null,
    ).length;
    const lostOrTwice = wrong + Math.max(0, attendees - rows.length);
    const result = {
      attendees,
      duplicateRate: DUPLICATE_RATE,
      joins: { windowMs: WINDOW_MS, countedAfterMs },
      leaves: { countedAfterMs: leavesCountedAfterMs, bridgeKilledHalfway: true, dropped: dropped.size },
      signals: signalFacts,
      signalIntervalReferenceMs: 1_000,
      historyEventsAdded: attendanceHistory,
      historyBytesAdded: attendanceBytes,
      continuedAsNew: historyAfter.runId !== historyBefore.runId,
      primaryEnd: { withEventsMs: withEvents, withoutEventsMs: withoutEvents },
      outcome: outcome.attendance,
      report: { rows: rows.length, wrong },
      bridge: {
        received: (await metrics.received.get()).values[0]?.value ?? 0,
        duplicatesDropped: outcome.attendance.events.duplicate,
      },
    };
    log(
      `attendance: ${attendees} joins counted ${countedAfterMs} ms after the last (${round(countedAfterMs / 1000)} × ` +
        `the Signal interval); leaves with a bridge kill ${leavesCountedAfterMs} ms; ${signalFacts.signals} Signals, ` +
        `closest ${signalFacts.closestMs} ms apart; ${attendanceHistory} history events (${round(attendanceBytes / 1024, 1)} KiB); primary end → call ` +
        `${withEvents} ms (without events ${withoutEvents} ms, ${round(withEvents / withoutEvents)} ×); report ` +
        `${rows.length} rows, ${wrong} wrong`,
    );
    const size = quick ? `${attendees} attendees (quick)` : 'full size (10,250)';
    const goals: Goal[] = [
      {
        benchmark: '10 attendance',
        metric: `${size} joining within 10 s: all counted in the published status`,
        goal: 'within 2 s after the last join',
        measured: `${round(countedAfterMs / 1000)} s`,
        met: countedAfterMs <= 2_000,
      },
      {
        benchmark: '10 attendance',
        metric: 'Signals per webinar',
        goal: 'at most 1 per second',
        measured: `${signalFacts.signals} for ${2 * attendees} events; closest two ${signalFacts.closestMs} ms apart`,
        // Server timestamps of Signals the bridge sent a second apart, on its own clock.
        met: signalFacts.closestMs >= 980,
      },
      {
        benchmark: '10 attendance',
        metric: `events lost or counted twice, a bridge killed and restarted, ${DUPLICATE_RATE * 100} % delivered twice`,
        goal: '0',
        measured: `${lostOrTwice} (${rows.length} rows; ${outcome.attendance.events.duplicate} duplicates dropped)`,
        met: lostOrTwice === 0 && rows.length === attendees,
      },
      {
        benchmark: '10 attendance',
        metric: "from the primary's end to the first teardown or re-provisioning call",
        goal: '< 2 s (without events: up to 60 s)',
        measured: `${round(withEvents / 1000)} s (without events, same run: ${round(withoutEvents / 1000)} s)`,
        met: withEvents < 2_000,
      },
      {
        benchmark: '10 attendance',
        metric: `history events added by ${2 * attendees} attendance events`,
        goal: 'reported, and bounded (by the Signals, not the events)',
        measured: `${attendanceHistory} events, ${round(attendanceBytes / 1024, 1)} KiB, for ${signalFacts.signals} Signals`,
        met: attendanceHistory <= 6 * signalFacts.signals + 20,
      },
    ];
    return { name: 'attendance', result, goals };
  } finally {
    await bridge?.stop({ flush: false });
    sqs.destroy();
    await stack.shutdown();
    await store.close();
  }
}
