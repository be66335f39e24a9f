/**
 * SendMessage's message attributes (String and Number): kept with the message, through a redrive too, and
 * returned for the names ReceiveMessage asks, with SQS's MD5OfMessageAttributes.
 */
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import { rejection, useTestEmulator } from './helpers';
import { createQueue, sqsClientFor } from './sqs-helpers';

const emulator = useTestEmulator();

/** SQS's documented digest of message attributes, written out independently of the emulator's. */
function md5OfAttributes(attributes: Record<string, { DataType: string; StringValue: string }>): string {
  const hash = createHash('md5');
  const field = (s: string): void => {
    const b = Buffer.from(s, 'utf8');
    const n = Buffer.alloc(4);
    n.writeUInt32BE(b.length);
    hash.update(n).update(b);
  };
  for (const name of Object.keys(attributes).sort()) {
    const a = attributes[name];
    if (!a) continue;
    field(name);
    field(a.DataType);
    hash.update(Buffer.from([1]));
    field(a.StringValue);
  }
  return hash.digest('hex');
}

it('are sent, received by name or prefix or All, and kept through a redrive', async () => {
  const sqs = sqsClientFor(emulator().emu);
  try {
    const dlq = await createQueue(sqs, 'attrs-dlq');
    const url = await createQueue(sqs, 'attrs');
    const arn = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }),
    );
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: url,
        Attributes: {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: arn.Attributes?.QueueArn,
            maxReceiveCount: 1,
          }),
        },
      }),
    );
    const attributes = {
      Reason: { DataType: 'String', StringValue: 'malformed' },
      'Reason.Detail': { DataType: 'String', StringValue: 'the body is not JSON' },
      Tries: { DataType: 'Number', StringValue: '3' },
    };
    const sent = await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: attributes }),
    );
    expect(sent.MD5OfMessageAttributes).toBe(md5OfAttributes(attributes));
    const byName = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MessageAttributeNames: ['Tries', 'Reason.*'],
        VisibilityTimeout: 0,
      }),
    );
    // `Reason.*` is the names that start with `Reason.`, not `Reason` itself (as SQS documents).
    const { Reason: _unasked, ...asked } = attributes;
    expect(byName.Messages?.[0]?.MessageAttributes).toEqual(asked);
    const none = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 }));
    // Received once already (maxReceiveCount 1): moved to the dead-letter queue instead.
    expect(none.Messages).toBeUndefined();
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MessageAttributeNames: ['All'] }));
    expect(dead.Messages?.[0]?.MessageAttributes).toEqual(attributes);
    expect(dead.Messages?.[0]?.MD5OfMessageAttributes).toBe(md5OfAttributes(attributes));
  } finally {
    sqs.destroy();
  }
});

it('Binary values, bad names and more than 10 are InvalidParameterValue', async () => {
  const sqs = sqsClientFor(emulator().emu);
  try {
    const url = await createQueue(sqs, 'attrs-bad');
    const send = (MessageAttributes: Record<string, MessageAttributeValue>): Promise<unknown> =>
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes }));
    const binary = await rejection(send({ B: { DataType: 'Binary', BinaryValue: new Uint8Array([1]) } }));
    expect(binary.name).toBe('InvalidParameterValue');
    expect((await rejection(send({ 'AWS.x': { DataType: 'String', StringValue: 'v' } }))).name).toBe(
      'InvalidParameterValue',
    );
    const many = Object.fromEntries(
      Array.from({ length: 11 }, (_, i) => [`a${String(i)}`, { DataType: 'String', StringValue: 'v' }]),
    );
    expect((await rejection(send(many))).name).toBe('InvalidParameterValue');
  } finally {
    sqs.destroy();
  }
});
