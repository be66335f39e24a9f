/**
 * The attended scenario of the recordings (scenarios.ts): a live webinar whose attendees connect, drop and
 * leave through the emulator, with their meeting events signalled as the events bridge does (twice: at least
 * once delivery), then ended by an operator.
 */
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { sendOperatorAction } from '../../client/library/operator-actions';
import { attendeeQuery, meetingEventsSignal } from '../../workflows/definitions';
import { sqsClientFor } from '../emulator/sqs-helpers';
import { queuedMeetingEvents, queueUrlOf } from '../support/meeting-event-feed';
import { waitForStatus, webinarSpec, type WebinarStack } from '../support/webinar-stack';

/** The events queue the stack's emulator must have (`events.defaultQueues` of us-east-1). */
export const ATTENDED_EVENTS_QUEUE = 'chime-meeting-events';

export async function runAttended(stack: WebinarStack): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const sqs = sqsClientFor(stack.emulator);
  try {
    const queueUrl = await queueUrlOf(sqs, ATTENDED_EVENTS_QUEUE);
    const now = Date.now();
    const handle = await stack.start(
      webinarSpec(now, {
        webinarId: 'rec-attended',
        startAt: new Date(now + 3_000).toISOString(),
        endAt: new Date(now + 603_000).toISOString(),
        provisionLeadSeconds: 2,
      }),
    );
    await waitForStatus(handle, (s) => s.phase === 'LIVE', 30_000);
    const where = async (externalUserId: string) => {
      const at = await handle.query(attendeeQuery, { externalUserId });
      return [at.meetingId, at.attendeeId] as const;
    };
    const host = await where('host-1');
    const viewer = await where('viewer-0');
    stack.emulator.connect(...host);
    stack.emulator.connect(...viewer);
    stack.emulator.drop(...viewer);
    stack.emulator.connect(...viewer);
    stack.emulator.disconnect(...host);
    const events = await queuedMeetingEvents(sqs, queueUrl);
    await handle.signal(meetingEventsSignal, { events });
    await handle.signal(meetingEventsSignal, { events });
    await sendOperatorAction(handle, 'endWebinar', { reason: 'recorded' });
    return handle;
  } finally {
    sqs.destroy();
  }
}
