/**
 * The operator lane (domain/budget/operator-lane.ts) on the time-skipping server, with the emulator behind the real
 * activities: an operator's first attempt runs on the lane queue, each one paid back by exactly one budget token
 * scheduled on the Region's queue at operator priority; a retry goes to the Region's queue; a refusal is not
 * retried; and the calls of provisioning never take the lane.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { type temporal } from '@temporalio/proto';
import {
  CALL_PRIORITY,
  chimeTaskQueue,
  webinarFairnessKey,
  operatorLaneTaskQueue,
  SPEND_BUDGET_TOKEN,
} from '../../domain/budget';
import type { ChimeActivities } from '../../domain/chime';
import { operatorUpdates } from '../../workflows/definitions';
import { useWebinarStack, waitForStatus, webinarSpec, type WebinarStack } from '../support/webinar-stack';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Which queue ran each Chime call, in the order they ran. */
const ran: { operation: string; taskQueue: string }[] = [];
/** The next attempt of this operation fails so, once. */
let injected: { operation: keyof ChimeActivities; failure: 'retryable' | 'refused' } | undefined;

function recording(activities: ChimeActivities): ChimeActivities {
  const wrapped = {} as Record<string, (input: unknown) => Promise<unknown>>;
  for (const [operation, fn] of Object.entries(activities) as [
    string,
    (input: unknown) => Promise<unknown>,
  ][]) {
    wrapped[operation] = async (input) => {
      ran.push({ operation, taskQueue: Context.current().info.taskQueue });
      if (injected?.operation === operation) {
        const { failure } = injected;
        injected = undefined;
        if (failure === 'retryable') throw ApplicationFailure.retryable('injected 503', 'ServiceFailure');
        throw ApplicationFailure.nonRetryable('injected refusal', 'BadRequestException');
      }
      return fn(input);
    };
  }
  return wrapped as unknown as ChimeActivities;
}

const stackOf = useWebinarStack({ server: 'time-skipping', wrapActivities: recording });
let stack: WebinarStack;

beforeEach(() => {
  stack = stackOf();
  stack.emulator.reset();
  ran.length = 0;
  injected = undefined;
});

afterEach(() => {
  const left = stack.liveMeetings();
  stack.emulator.reset();
  expect(left).toBe(0);
});

interface Scheduled {
  eventId: number;
  completedBy: number;
  activity: string;
  taskQueue: string;
  priorityKey: number;
  fairnessKey: string;
  maximumAttempts: number;
}

function scheduledCalls(events: HistoryEvent[]): Scheduled[] {
  return events.flatMap((e) => {
    const a = e.activityTaskScheduledEventAttributes;
    if (!a) return [];
    return [
      {
        eventId: Number(e.eventId),
        completedBy: Number(a.workflowTaskCompletedEventId),
        activity: a.activityType?.name ?? '',
        taskQueue: a.taskQueue?.name ?? '',
        priorityKey: a.priority?.priorityKey ?? 0,
        fairnessKey: a.priority?.fairnessKey ?? '',
        maximumAttempts: a.retryPolicy?.maximumAttempts ?? 0,
      },
    ];
  });
}

/** A READY webinar of 22 (the spec's host, speaker and 20 viewers, the odd ones in eu-west-1). */
async function readyWebinar() {
  const spec = webinarSpec(await stack.env.currentTimeMs());
  const handle = await stack.start(spec);
  await stack.env.sleep(3600_000 - 120_000 + 1_000);
  await waitForStatus(handle, (s) => s.phase === 'READY' && s.attendees.registered === 22);
  return { spec, handle };
}

const REGION_QUEUE = chimeTaskQueue(undefined);
const LANE = operatorLaneTaskQueue(undefined);

describe('operator lane', () => {
  it("runs each operator call's first attempt on the lane, paid back by one budget token at operator priority in the same task", async () => {
    const { spec, handle } = await readyWebinar();
    const provisioned = ran.length;
    for (const externalUserId of ['viewer-0', 'viewer-1']) {
      await handle.executeUpdate(operatorUpdates.promoteSpeaker, { args: [{ externalUserId }] });
      await handle.executeUpdate(operatorUpdates.demoteSpeaker, { args: [{ externalUserId }] });
    }
    await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
    await handle.result();

    // Provisioning never took the lane; each of the 4 operator calls ran there.
    expect(ran.slice(0, provisioned).filter((r) => r.taskQueue !== REGION_QUEUE)).toEqual([]);
    const operatorRuns = ran.slice(provisioned).filter((r) => r.operation !== 'deleteMeeting');
    expect(operatorRuns).toEqual([
      { operation: 'updateAttendeeCapabilities', taskQueue: LANE },
      { operation: 'updateAttendeeCapabilities', taskQueue: LANE },
      { operation: 'updateAttendeeCapabilities', taskQueue: LANE },
      { operation: 'updateAttendeeCapabilities', taskQueue: LANE },
    ]);

    const calls = scheduledCalls((await handle.fetchHistory()).events ?? []);
    const lane = calls.filter((c) => c.taskQueue === LANE);
    const tokens = calls.filter((c) => c.activity === SPEND_BUDGET_TOKEN);
    expect(lane).toHaveLength(4);
    expect(lane.every((c) => c.priorityKey === CALL_PRIORITY.operator && c.maximumAttempts === 1)).toBe(true);
    // One token per lane call, scheduled just before it by the same workflow task, on the Region's queue.
    expect(tokens.map((t) => [t.completedBy, t.eventId + 1])).toEqual(
      lane.map((c) => [c.completedBy, c.eventId]),
    );
    for (const t of tokens) {
      expect(t).toMatchObject({
        taskQueue: REGION_QUEUE,
        priorityKey: CALL_PRIORITY.operator,
        fairnessKey: webinarFairnessKey(spec.webinarId),
      });
    }
  });

  it("retries a lane call that failed on the Region's queue, where the retry waits for its own token", async () => {
    const { handle } = await readyWebinar();
    const provisioned = ran.length;
    injected = { operation: 'updateAttendeeCapabilities', failure: 'retryable' };
    const result = await handle.executeUpdate(operatorUpdates.promoteSpeaker, {
      args: [{ externalUserId: 'viewer-0' }],
    });
    expect(result.ok).toBe(true);
    expect(ran.slice(provisioned)).toEqual([
      { operation: 'updateAttendeeCapabilities', taskQueue: LANE },
      { operation: 'updateAttendeeCapabilities', taskQueue: REGION_QUEUE },
    ]);
    const calls = scheduledCalls((await handle.fetchHistory()).events ?? []);
    expect(calls.filter((c) => c.activity === SPEND_BUDGET_TOKEN)).toHaveLength(1);
    const retry = calls.filter(
      (c) => c.activity === 'updateAttendeeCapabilities' && c.taskQueue === REGION_QUEUE,
    );
    expect(retry.map((c) => c.priorityKey)).toEqual([CALL_PRIORITY.operator]);
    await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
    await handle.result();
  });

  it('does not retry a call the service refused: the action fails at once', async () => {
    const { handle } = await readyWebinar();
    const provisioned = ran.length;
    injected = { operation: 'updateAttendeeCapabilities', failure: 'refused' };
    const outcome = await handle
      .executeUpdate(operatorUpdates.promoteSpeaker, { args: [{ externalUserId: 'viewer-0' }] })
      .then(
        (r) => JSON.stringify(r),
        (err: unknown) => `${String(err)}: ${String((err as { cause?: unknown }).cause)}`,
      );
    expect(outcome).toMatch(/injected refusal|BadRequest/);
    expect(ran.slice(provisioned)).toEqual([{ operation: 'updateAttendeeCapabilities', taskQueue: LANE }]);
    await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
    await handle.result();
  });
});
