import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import type { MeetingEventEnvelope, RunningEmulator } from '../../emulator';
import { CREDENTIALS } from './helpers';

/** The real SQS client aimed at the emulator's port; no retries, so every answer is seen as sent. */
export function sqsClientFor(emu: RunningEmulator, region = 'us-east-1'): SQSClient {
  return new SQSClient({ region, endpoint: emu.endpoint, credentials: CREDENTIALS, maxAttempts: 1 });
}

export async function createQueue(
  sqs: SQSClient,
  name: string,
  attributes?: Record<string, string>,
): Promise<string> {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!out.QueueUrl) throw new Error('no QueueUrl');
  return out.QueueUrl;
}

/** Receives (short polls) and deletes everything visible: the messages in receive order. */
export async function drain(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    const got = out.Messages ?? [];
    if (got.length === 0) return all;
    all.push(...got);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: got.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
}

/** The meeting events a queue holds now, in order, deleted from it. */
export async function drainEvents(sqs: SQSClient, queueUrl: string): Promise<MeetingEventEnvelope[]> {
  return (await drain(sqs, queueUrl)).map((m) => JSON.parse(m.Body ?? '') as MeetingEventEnvelope);
}
