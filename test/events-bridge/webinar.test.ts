/**
 * The events bridge and the real webinar workflow together, on the dev server in real time: attendees connect
 * and leave through the emulator's admin API, the bridge signals the webinar, its live counts follow, and the
 * teardown's MeetingEnded events, coming after the workflow closed, are deleted as late.
 */
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { startEventsBridge } from '../../client/events-bridge/bridge';
import { bridgeMetrics } from '../../client/events-bridge/metrics';
import { eventsQueue } from '../../client/events-bridge/queue';
import { attendeeQuery, operatorUpdates } from '../../workflows/definitions';
import { sqsClientFor } from '../emulator/sqs-helpers';
import { soonWebinarSpec, useWebinarStack, waitForStatus } from '../support/webinar-stack';
import { eventually, metric, TEST_TUNING } from './harness';

const EVENTS_QUEUE = 'chime-meeting-events';
const stackOf = useWebinarStack({
  server: 'dev',
  emulator: { events: { defaultQueues: { 'us-east-1': EVENTS_QUEUE } } },
});

it("the webinar's live attendance follows the admin API's connects through the bridge; the teardown's events are late", async () => {
  const stack = stackOf();
  const sqs = sqsClientFor(stack.emulator);
  const queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: EVENTS_QUEUE }))).QueueUrl ?? '';
  const bridge = startEventsBridge({
    client: stack.env.client,
    queue: eventsQueue({ queueUrl, region: 'us-east-1', endpoint: stack.emulator.endpoint }, sqs),
    tuning: TEST_TUNING,
    metrics: bridgeMetrics(),
    log: () => undefined,
  });
  try {
    const spec = soonWebinarSpec({
      attendees: [
        { externalUserId: 'host-1', role: 'host' },
        ...Array.from({ length: 12 }, (_, i) => ({
          externalUserId: `viewer-${String(i)}`,
          role: 'viewer' as const,
        })),
      ],
    });
    const handle = await stack.start(spec);
    await waitForStatus(handle, (s) => s.phase === 'READY' || s.phase === 'LIVE');
    const seats = await Promise.all(
      spec.attendees.map((a) => handle.query(attendeeQuery, { externalUserId: a.externalUserId })),
    );
    const admin = async (seat: { meetingId: string; attendeeId: string }, action: string): Promise<void> => {
      const res = await fetch(
        `${stack.emulator.endpoint}/_emulator/meetings/${seat.meetingId}/attendees/${seat.attendeeId}/${action}`,
        { method: 'POST' },
      );
      expect(res.status).toBe(200);
    };
    for (const seat of seats) await admin(seat, 'connect');
    const [, dropping, leaving] = seats;
    if (!dropping || !leaving) throw new Error('no seats');
    await admin(dropping, 'drop');
    await admin(leaving, 'disconnect');
    const live = await waitForStatus(
      handle,
      (s) => s.attendance.joined === 13 && s.attendance.connected === 11,
    );
    expect(live.attendance).toEqual({ connected: 11, joined: 13, dropped: 1 });

    await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
    const outcome = await handle.result();
    expect(outcome.attendance).toMatchObject({ invited: 13, joined: 13, dropped: 1 });
    expect(outcome.attendance.events.invalid).toBe(0);
    // The teardown deleted the meetings: their MeetingEnded reach a closed workflow.
    await eventually('the late MeetingEnded events', async () =>
      (await metric(bridge, 'events_bridge_late_events_total')) >= 1 ? true : undefined,
    );
    expect(await metric(bridge, 'events_bridge_signals_total', { outcome: 'failed' })).toBe(0);
  } finally {
    await bridge.stop();
    sqs.destroy();
  }
});
