/** Receiving messages (visibility, receive counts, redrive), receipt handles, and a queue's depth. */
import { randomBytes } from 'node:crypto';
import { attributesFor } from './attributes';
import { SqsError } from './errors';
import { messageAttributesFor, type MessageAttributeSelection } from './message-attributes';
import {
  BATCH_ID,
  type AttributeSelection,
  type Message,
  type Queue,
  type QueueDepth,
  type ReceivedMessage,
} from './model';

/** Receives up to `wanted` visible messages; a message past its maxReceiveCount goes to the dead-letter queue. */
export function takeMessages(
  q: Queue,
  now: number,
  dlq: Queue | undefined,
  onRedrive: (dlq: Queue) => void,
  wanted: number,
  visibility: number,
  attributes: AttributeSelection,
  messageAttributes: MessageAttributeSelection = 'none',
): ReceivedMessage[] {
  const out: ReceivedMessage[] = [];
  const redrive = q.attributes.RedrivePolicy;
  for (const m of q.messages.values()) {
    if (out.length >= wanted) break;
    if (m.visibleAt > now) continue;
    if (redrive && dlq && m.receiveCount >= redrive.maxReceiveCount) {
      q.messages.delete(m.messageId);
      q.redriven++;
      m.receipt = undefined;
      m.visibleAt = now;
      dlq.messages.set(m.messageId, m);
      onRedrive(dlq);
      continue;
    }
    m.receiveCount++;
    m.firstReceivedAt ??= now;
    m.visibleAt = now + visibility * 1000;
    m.receipt = `${Buffer.from(`${q.key}\n${m.messageId}`).toString('base64url')}.${randomBytes(12).toString('base64url')}`;
    out.push({
      MessageId: m.messageId,
      ReceiptHandle: m.receipt,
      MD5OfBody: m.md5,
      Body: m.body,
      ...(attributesFor(m, attributes) ?? {}),
      ...(messageAttributesFor(m.messageAttributes, messageAttributes) ?? {}),
    });
  }
  return out;
}

/** The message a receipt handle names in this queue; ReceiptHandleIsInvalid when it names none of its messages. */
export function parseReceipt(q: Queue, handle: unknown): { message?: Message; current: boolean } {
  if (typeof handle !== 'string' || handle === '') {
    throw new SqsError('MissingParameter', 'The request must contain the parameter ReceiptHandle.');
  }
  const [head = ''] = handle.split('.');
  const [key, messageId] = Buffer.from(head, 'base64url').toString('utf8').split('\n');
  if (key !== q.key || !messageId || !/^[0-9a-f-]{36}$/.test(messageId) || !handle.includes('.')) {
    throw new SqsError(
      'ReceiptHandleIsInvalid',
      `The input receipt handle "${handle}" is not a valid receipt handle.`,
    );
  }
  const message = q.messages.get(messageId);
  return { message, current: message !== undefined && message.receipt === handle };
}

export function depthOf(q: Queue, now: number): QueueDepth {
  let visible = 0;
  let inFlight = 0;
  let delayed = 0;
  for (const m of q.messages.values()) {
    if (m.visibleAt <= now) visible++;
    else if (m.receiveCount > 0) inFlight++;
    else delayed++;
  }
  return {
    region: q.region,
    name: q.name,
    arn: q.arn,
    visible,
    inFlight,
    delayed,
    redriven: q.redriven,
    deleted: q.deleted,
    ...(q.attributes.RedrivePolicy
      ? { deadLetterTargetArn: q.attributes.RedrivePolicy.deadLetterTargetArn }
      : {}),
  };
}

/** DeleteMessageBatch's entries: 1-10, each with a distinct, well-formed Id. */
export function batchEntries(entries: unknown): Array<{ Id: string; ReceiptHandle?: unknown }> {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new SqsError(
      'EmptyBatchRequest',
      'There should be at least one DeleteMessageBatchRequestEntry in the request.',
    );
  }
  if (entries.length > 10) {
    throw new SqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
    );
  }
  const ids = new Set<string>();
  for (const e of entries as Array<{ Id?: unknown }>) {
    if (typeof e?.Id !== 'string' || !BATCH_ID.test(e.Id)) {
      throw new SqsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (ids.has(e.Id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${e.Id} repeated.`);
    ids.add(e.Id);
  }
  return entries as Array<{ Id: string; ReceiptHandle?: unknown }>;
}
