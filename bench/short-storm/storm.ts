/**
 * One round of the short storm, on its own stack: the webinars scheduled with one start, two clients polling
 * `WebinarClient.status()` for every webinar (fast, and at a dashboard's cadence), and what the round measured.
 */
import { WebinarClient } from '../../client/library/webinar-client';
import { type ActivityCall, activityCalls, phaseReachedAtMs, wholeHistory } from '../support/histories';
import { startBenchStackBesideEmulatorProcess } from '../support/stack';
import { finishWebinars, roster, stormSpec } from '../support/webinars';
import { sleep, statusOf } from '../support/polling';
import { emulatorCalls, emulatorRate, realisticEmulatorConfig } from '../support/emulator';
import { floorSeconds, plannedCalls } from '../support/calls';
import { latencyStats, round, sum } from '../support/stats';
import { criticalPath, type Breakdown } from './critical-path';

export interface Sizes {
  webinars: number;
  attendees: number;
  leadSeconds: number;
}

/** Each webinar's client poll: one status() per webinar this often (a dashboard that refreshes fast). */
export const CLIENT_POLL_MS = 250;
/** A second client in the same run, at a dashboard's cadence (the top-of-hour bench's): what the poll alone adds. */
export const DASHBOARD_POLL_MS = 1_000;

export interface ShortStormRun {
  webinars: number;
  attendees: number;
  leadSeconds: number;
  calls: number;
  floorSeconds: number;
  /** From the storm start: the client's last first-READY read, and the histories' last READY upsert. */
  clientAllReadySeconds: number;
  historyAllReadySeconds: number;
  clientVsFloor: number;
  historyVsFloor: number;
  /**
   * The floor at the queue limiter's own burst ((calls − queueBurst) / rate), and the client's time against it:
   * what is left once the burst Temporal's limiter does not give (docs/bench.md, section 7) is set aside.
   */
  queueFloorSeconds: number;
  clientVsQueueFloor: number;
  /** The same, from the provisioning time every webinar was given (startAt − lead), as a scheduler knows it. */
  clientVsFloorFromProvisioningTime: number;
  /** Seconds from the provisioning time to the storm start (negative: the wake spread woke it early). */
  stormStartAfterProvisioningTime: number;
  perWebinar: { webinarId: string; clientSeconds: number; historySeconds: number; calls: number }[];
  breakdown: Breakdown;
  throttled: number;
  emulatorCalls: number;
  clientPolls: number;
  /** The client polling at DASHBOARD_POLL_MS, in the same run. */
  dashboard: {
    pollMs: number;
    allReadySeconds: number;
    vsFloor: number;
    readyUpsertToClient: ReturnType<typeof latencyStats>;
    polls: number;
  };
}

export async function runOnce(sizes: Sizes): Promise<ShortStormRun> {
  const stack = await startBenchStackBesideEmulatorProcess({});
  try {
    const config = realisticEmulatorConfig();
    const { rate, burst } = emulatorRate(config);
    const client = new WebinarClient(stack.env.client, { taskQueue: stack.taskQueue, calendar: false });
    const tag = `ss-${Date.now().toString(36)}`;
    const provisionAt = Date.now() + 5_000;
    const startAt = provisionAt + sizes.leadSeconds * 1000;
    const specs = Array.from({ length: sizes.webinars }, (_, i) =>
      stormSpec(`s${i}-${tag}`, roster(sizes.attendees, `s${i}-${tag}`), startAt, sizes.leadSeconds),
    );
    const handles = await Promise.all(specs.map((s) => stack.start(s)));
    const before = emulatorCalls(await stack.emulator.counters());

    // The clients: one poll loop per webinar each, recording when it first reads READY (or LIVE); the fast one
    // is the figure, the dashboard-paced one shows what the cadence alone adds.
    const deadline = provisionAt + 300_000;
    const watch = async (pollMs: number): Promise<{ seenAt: Map<string, number>; polls: number }> => {
      const seen = new Map<string, number>();
      let count = 0;
      await Promise.all(
        specs.map(async (s) => {
          while (!seen.has(s.webinarId)) {
            const status = await client.status(s.webinarId).catch(() => undefined);
            count++;
            if (status?.phase === 'READY' || status?.phase === 'LIVE') seen.set(s.webinarId, Date.now());
            else if (status?.phase === 'FAILED' || status?.phase === 'ENDED')
              throw new Error(`${s.webinarId} ${status.phase}: ${status.lastError}`);
            else if (Date.now() > deadline) throw new Error(`${s.webinarId} not READY in 5 minutes`);
            else await sleep(pollMs);
          }
        }),
      );
      return { seenAt: seen, polls: count };
    };
    const [fast, slow] = await Promise.all([watch(CLIENT_POLL_MS), watch(DASHBOARD_POLL_MS)]);
    const { seenAt, polls } = fast;
    const after = emulatorCalls(await stack.emulator.counters());
    // The plan's calls from each live status (the memo has no per-meeting seats).
    const finals = await Promise.all(handles.map(statusOf));

    const readyAt = new Map<string, number>();
    const wokeAt = new Map<string, number>();
    const calls: ActivityCall[] = [];
    for (const [i, h] of handles.entries()) {
      const id = (specs[i] as (typeof specs)[number]).webinarId;
      const history = await wholeHistory(h);
      const ready = phaseReachedAtMs(history, 'READY');
      const woke = phaseReachedAtMs(history, 'PROVISIONING');
      if (ready === undefined || woke === undefined)
        throw new Error(`${h.workflowId}: no PROVISIONING or READY`);
      readyAt.set(id, ready);
      wokeAt.set(id, woke);
      calls.push(...activityCalls(id, history));
    }
    const stormStart = Math.min(...wokeAt.values());
    const lastReady = Math.max(...readyAt.values());
    const clientAll = Math.max(...seenAt.values());
    const planned = finals.map((s) => (s ? plannedCalls(s).calls : NaN));
    const callCount = sum(planned);
    const floor = floorSeconds(callCount, config);

    const breakdown = criticalPath({
      specs,
      calls,
      wokeAt,
      readyAt,
      seenAt,
      stormStart,
      lastReady,
      clientAll,
      rate,
      burst,
    });
    const { queueBurst } = breakdown;
    const clientSeconds = (clientAll - stormStart) / 1000;
    const queueFloor = Math.max(0, callCount - queueBurst) / rate;
    const historySeconds = (lastReady - stormStart) / 1000;
    await finishWebinars(handles);
    return {
      webinars: sizes.webinars,
      attendees: sizes.attendees,
      leadSeconds: sizes.leadSeconds,
      calls: callCount,
      floorSeconds: round(floor, 1),
      clientAllReadySeconds: round(clientSeconds),
      historyAllReadySeconds: round(historySeconds),
      clientVsFloor: round(clientSeconds / floor),
      historyVsFloor: round(historySeconds / floor),
      queueFloorSeconds: round(queueFloor, 1),
      clientVsQueueFloor: round(clientSeconds / queueFloor),
      clientVsFloorFromProvisioningTime: round((clientAll - provisionAt) / 1000 / floor),
      stormStartAfterProvisioningTime: round((stormStart - provisionAt) / 1000),
      perWebinar: specs.map((s, i) => ({
        webinarId: s.webinarId,
        clientSeconds: round(((seenAt.get(s.webinarId) as number) - stormStart) / 1000),
        historySeconds: round(((readyAt.get(s.webinarId) as number) - stormStart) / 1000),
        calls: planned[i] as number,
      })),
      breakdown,
      throttled: after.throttled - before.throttled,
      emulatorCalls: after.calls - before.calls,
      clientPolls: polls,
      dashboard: {
        pollMs: DASHBOARD_POLL_MS,
        allReadySeconds: round((Math.max(...slow.seenAt.values()) - stormStart) / 1000),
        vsFloor: round((Math.max(...slow.seenAt.values()) - stormStart) / 1000 / floor),
        readyUpsertToClient: latencyStats(
          specs.map(
            (s) => ((slow.seenAt.get(s.webinarId) as number) - (readyAt.get(s.webinarId) as number)) / 1000,
          ),
        ),
        polls: slow.polls,
      },
    };
  } finally {
    await stack.shutdown();
  }
}
