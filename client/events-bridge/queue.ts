/**
 * The bridge's SQS calls, and nothing else: long-poll receive, delete in batches of 10, move to the dead-letter
 * queue (SendMessage of the original body with the reason as message attributes, then delete), and extend a
 * message's visibility. deploy/events-bridge-iam-policy.json grants exactly these actions.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { EMULATOR_CREDENTIALS } from '../../activities/clients';
import type { SqsSettings } from './config';

/** A message as the bridge holds it. */
export interface ReceivedMessage {
  messageId: string;
  receipt: string;
  body: string;
  receiveCount: number;
  /** Local time when its visibility timeout ends (ms). */
  visibleUntil: number;
}

/** The message attributes a dead-lettered message carries. */
export const DEAD_LETTER_REASON_ATTRIBUTE = 'DeadLetterReason';
export const DEAD_LETTER_DETAIL_ATTRIBUTE = 'DeadLetterDetail';

export interface EventsQueue {
  /** The queue's RedrivePolicy (a JSON string, as SQS keeps it), if any; throws QueueDoesNotExist. */
  redrivePolicy(): Promise<string | undefined>;
  receive(
    max: number,
    waitSeconds: number,
    visibilitySeconds: number,
    signal: AbortSignal,
  ): Promise<ReceivedMessage[]>;
  /** Deletes; resolves to how many could not be deleted (they come again). */
  delete(messages: readonly ReceivedMessage[]): Promise<number>;
  /** Copies to the dead-letter queue, then deletes; false when the copy failed (the message is left). */
  deadLetter(message: ReceivedMessage, reason: string, detail?: string): Promise<boolean>;
  extend(message: ReceivedMessage, visibilitySeconds: number): Promise<boolean>;
  readonly hasDeadLetterQueue: boolean;
  close(): void;
}

export function sqsClientOf(settings: SqsSettings): SQSClient {
  return new SQSClient({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint, credentials: EMULATOR_CREDENTIALS } : {}),
  });
}

export function eventsQueue(settings: SqsSettings, client: SQSClient = sqsClientOf(settings)): EventsQueue {
  const QueueUrl = settings.queueUrl;
  const deleteChunk = async (chunk: readonly ReceivedMessage[]): Promise<number> => {
    try {
      const out = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: chunk.map((m, i) => ({ Id: `m${String(i)}`, ReceiptHandle: m.receipt })),
        }),
      );
      return out.Failed?.length ?? 0;
    } catch {
      return chunk.length;
    }
  };
  return {
    hasDeadLetterQueue: settings.dlqUrl !== undefined,
    async redrivePolicy() {
      const out = await client.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['RedrivePolicy'] }),
      );
      return out.Attributes?.RedrivePolicy;
    },
    async receive(max, waitSeconds, visibilitySeconds, abortSignal) {
      const started = Date.now();
      const out = await client.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: max,
          WaitTimeSeconds: waitSeconds,
          VisibilityTimeout: visibilitySeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
        { abortSignal },
      );
      // The timeout started when the queue handed the messages out, within the call: a long poll answers as
      // soon as it has some, so a second before the answer, and never before the call.
      const visibleUntil = Math.max(started, Date.now() - 1_000) + visibilitySeconds * 1000;
      return (out.Messages ?? []).flatMap((m) =>
        m.MessageId && m.ReceiptHandle && m.Body !== undefined
          ? [
              {
                messageId: m.MessageId,
                receipt: m.ReceiptHandle,
                body: m.Body,
                receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? '1') || 1,
                visibleUntil,
              },
            ]
          : [],
      );
    },
    async delete(messages) {
      const chunks: ReceivedMessage[][] = [];
      for (let i = 0; i < messages.length; i += 10) chunks.push(messages.slice(i, i + 10));
      const failed = await Promise.all(chunks.map(deleteChunk));
      return failed.reduce((a, b) => a + b, 0);
    },
    async deadLetter(message, reason, detail) {
      if (!settings.dlqUrl) return false;
      try {
        await client.send(
          new SendMessageCommand({
            QueueUrl: settings.dlqUrl,
            MessageBody: message.body,
            MessageAttributes: {
              [DEAD_LETTER_REASON_ATTRIBUTE]: { DataType: 'String', StringValue: reason },
              ...(detail
                ? {
                    [DEAD_LETTER_DETAIL_ATTRIBUTE]: { DataType: 'String', StringValue: detail.slice(0, 256) },
                  }
                : {}),
            },
          }),
        );
      } catch {
        return false;
      }
      // A failed delete leaves a copy on both queues: the event may be dead-lettered twice, never lost.
      await deleteChunk([message]);
      return true;
    },
    async extend(message, visibilitySeconds) {
      try {
        const started = Date.now();
        await client.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl,
            ReceiptHandle: message.receipt,
            VisibilityTimeout: visibilitySeconds,
          }),
        );
        message.visibleUntil = started + visibilitySeconds * 1000;
        return true;
      } catch {
        return false;
      }
    },
    close: () => client.destroy(),
  };
}
