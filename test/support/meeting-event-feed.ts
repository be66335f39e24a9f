/**
 * Chime's meeting events from the emulator's queue, read as the events bridge reads them, for tests and
 * recordings that hand them to a webinar themselves (one meetingEvents Signal per batch).
 */
import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { readMeetingEventMessage, type MeetingEvent } from '../../domain/meeting-events';
import { drain } from '../emulator/sqs-helpers';

/** The queue URL of one of the emulator's queues. */
export async function queueUrlOf(sqs: SQSClient, name: string): Promise<string> {
  const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  if (!url) throw new Error(`no queue ${name}`);
  return url;
}

/** Every event the queue holds now, in order, deleted from it; messages that are not events are dropped. */
export async function queuedMeetingEvents(sqs: SQSClient, queueUrl: string): Promise<MeetingEvent[]> {
  const events: MeetingEvent[] = [];
  for (const m of await drain(sqs, queueUrl)) {
    const read = readMeetingEventMessage(m.Body ?? '');
    if (read.kind === 'event') events.push(read.event);
  }
  return events;
}
