/**
 * The emulator's SQS subset through the real @aws-sdk/client-sqs over HTTP: long polling, visibility timeouts
 * and receive counts, batch deletes, the redrive policy to a dead-letter queue, and SQS's typed errors.
 */
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  MessageNotInflight,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSServiceException,
  TooManyEntriesInBatchRequest,
  UnsupportedOperation,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { rejection, sharedEmulator } from './helpers';
import { createQueue, sqsClientFor } from './sqs-helpers';

describe('the SQS subset', () => {
  const shared = sharedEmulator();
  let sqs: SQSClient;

  beforeAll(() => {
    sqs = sqsClientFor(shared.emu);
  });
  afterAll(() => sqs.destroy());

  const send = (url: string, body: string) =>
    sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
  const receive = (
    url: string,
    extra: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {},
  ) => sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, ...extra }));
  const depth = async (url: string): Promise<Record<string, string>> =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ??
    {};

  it('CreateQueue is idempotent on equal attributes, QueueNameExists on different ones; GetQueueUrl finds it', async () => {
    const url = await createQueue(sqs, 'q1', { VisibilityTimeout: '5' });
    expect(url).toBe(`${shared.emu.endpoint}/123456789012/q1`);
    expect(await createQueue(sqs, 'q1', { VisibilityTimeout: '5' })).toBe(url);
    expect(await rejection(createQueue(sqs, 'q1', { VisibilityTimeout: '6' }))).toBeInstanceOf(
      QueueNameExists,
    );
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'q1' }))).QueueUrl).toBe(url);
    // Queues are per Region.
    const eu = sqsClientFor(shared.emu, 'eu-west-1');
    try {
      expect(await rejection(eu.send(new GetQueueUrlCommand({ QueueName: 'q1' })))).toBeInstanceOf(
        QueueDoesNotExist,
      );
    } finally {
      eu.destroy();
    }
  });

  it('SendMessage and ReceiveMessage carry the body with its MD5 (checked by the SDK) and the depth attributes', async () => {
    const url = await createQueue(sqs, 'q2');
    const sent = await send(url, '{"hello":"wörld"}');
    expect(sent.MessageId).toBeDefined();
    expect(await depth(url)).toMatchObject({
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
    const got = await receive(url, {
      MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
    });
    expect(got.Messages).toHaveLength(1);
    expect(got.Messages?.[0]).toMatchObject({ MessageId: sent.MessageId, Body: '{"hello":"wörld"}' });
    expect(got.Messages?.[0]?.Attributes).toMatchObject({ ApproximateReceiveCount: '1' });
    expect(await depth(url)).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
    });
  });

  it('a long poll returns as soon as a message arrives', async () => {
    const url = await createQueue(sqs, 'q3');
    const started = Date.now();
    const polling = receive(url, { WaitTimeSeconds: 10 });
    await new Promise((r) => setTimeout(r, 300));
    await send(url, 'late');
    const got = await polling;
    const waited = Date.now() - started;
    expect(got.Messages?.map((m) => m.Body)).toEqual(['late']);
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(2_000);
  });

  it('a long poll on an empty queue returns empty after WaitTimeSeconds', async () => {
    const url = await createQueue(sqs, 'q4');
    const started = Date.now();
    const got = await receive(url, { WaitTimeSeconds: 1 });
    const waited = Date.now() - started;
    expect(got.Messages ?? []).toEqual([]);
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(2_500);
  });

  it('after its visibility timeout a message is received again with ApproximateReceiveCount incremented', async () => {
    const url = await createQueue(sqs, 'q5');
    await send(url, 'again');
    const first = await receive(url, { VisibilityTimeout: 30, MessageSystemAttributeNames: ['All'] });
    expect(first.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect((await receive(url)).Messages ?? []).toEqual([]);
    // Emulated time: moving the clock expires the timeout.
    shared.emu.advanceClock(31_000);
    const second = await receive(url, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
    expect(second.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(second.Messages?.[0]?.ReceiptHandle).not.toBe(first.Messages?.[0]?.ReceiptHandle);
    // The first, older handle no longer deletes it (SQS: the call succeeds, the message stays).
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle }),
    );
    expect(await depth(url)).toMatchObject({ ApproximateNumberOfMessagesNotVisible: '1' });
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second.Messages?.[0]?.ReceiptHandle }),
    );
    expect(await depth(url)).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  it('a real-time visibility timeout wakes a waiting long poll', async () => {
    const url = await createQueue(sqs, 'q6');
    await send(url, 'soon');
    await receive(url, { VisibilityTimeout: 1 });
    const got = await receive(url, {
      WaitTimeSeconds: 5,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    });
    expect(got.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('ChangeMessageVisibility to 0 makes a message visible at once; on a message not in flight it is MessageNotInflight', async () => {
    const url = await createQueue(sqs, 'q7');
    await send(url, 'x');
    const got = await receive(url);
    const handle = got.Messages?.[0]?.ReceiptHandle;
    await sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: 0 }),
    );
    expect(await depth(url)).toMatchObject({ ApproximateNumberOfMessages: '1' });
    const err = await rejection(
      sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: 10 }),
      ),
    );
    expect(err).toBeInstanceOf(MessageNotInflight);
  });

  it('DeleteMessageBatch deletes each entry and reports an invalid handle per entry', async () => {
    const url = await createQueue(sqs, 'q8');
    for (let i = 0; i < 12; i++) await send(url, `m${i}`);
    const got = await receive(url);
    expect(got.Messages).toHaveLength(10);
    const out = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [...(got.Messages ?? []).map((m, i) => ({ Id: `e${i}`, ReceiptHandle: m.ReceiptHandle }))]
          .slice(0, 9)
          .concat([{ Id: 'bad', ReceiptHandle: 'not-a-handle' }]),
      }),
    );
    expect(out.Successful).toHaveLength(9);
    expect(out.Failed).toEqual([
      expect.objectContaining({ Id: 'bad', Code: 'ReceiptHandleIsInvalid', SenderFault: true }),
    ]);
    expect(await depth(url)).toMatchObject({
      ApproximateNumberOfMessages: '2',
      ApproximateNumberOfMessagesNotVisible: '1',
    });
    const tooMany = Array.from({ length: 11 }, (_, i) => ({ Id: `t${i}`, ReceiptHandle: 'x' }));
    expect(
      await rejection(sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: tooMany }))),
    ).toBeInstanceOf(TooManyEntriesInBatchRequest);
  });

  it('a message received maxReceiveCount times without deletion lands in the dead-letter queue; the rest keep flowing', async () => {
    const dlq = await createQueue(sqs, 'q9-dlq');
    const dlqArn = (await depth(dlq)).QueueArn;
    const url = await createQueue(sqs, 'q9', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }),
    });
    expect((await depth(url)).RedrivePolicy).toBe(
      JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }),
    );
    const poison = await send(url, 'poison');
    for (let i = 1; i <= 3; i++) {
      const got = await receive(url, {
        VisibilityTimeout: 0,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      });
      expect(got.Messages?.map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual([String(i)]);
    }
    await send(url, 'good');
    const after = await receive(url);
    expect(after.Messages?.map((m) => m.Body)).toEqual(['good']);
    const dead = await receive(dlq);
    expect(dead.Messages?.map((m) => [m.MessageId, m.Body])).toEqual([[poison.MessageId, 'poison']]);
    expect(shared.emu.counters().queues.find((q) => q.name === 'q9')).toMatchObject({ redriven: 1 });
    // A redrive policy naming no queue is refused.
    const bad = await rejection(
      sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: url,
          Attributes: {
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:nowhere',
              maxReceiveCount: 3,
            }),
          },
        }),
      ),
    );
    expect(bad).toBeInstanceOf(SQSServiceException);
    expect(bad.name).toBe('InvalidParameterValue');
  });

  it('errors are the SDK typed exceptions: unknown queue, bad receipt handle, unserved operation, bad parameter', async () => {
    const missing = `${shared.emu.endpoint}/123456789012/nope`;
    const noQueue = await rejection(receive(missing));
    expect(noQueue).toBeInstanceOf(QueueDoesNotExist);
    expect(noQueue.$metadata).toMatchObject({ httpStatusCode: 400 });
    const url = await createQueue(sqs, 'q10');
    const badHandle = await rejection(
      sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'garbage' })),
    );
    expect(badHandle).toBeInstanceOf(ReceiptHandleIsInvalid);
    const tooMany = await rejection(receive(url, { MaxNumberOfMessages: 11 }));
    expect(tooMany).toBeInstanceOf(SQSServiceException);
    expect(tooMany.name).toBe('InvalidParameterValue');
    const tooLong = await rejection(receive(url, { WaitTimeSeconds: 21 }));
    expect(tooLong.name).toBe('InvalidParameterValue');
    const raw = await fetch(`${shared.emu.endpoint}/`, {
      method: 'POST',
      headers: {
        'X-Amz-Target': 'AmazonSQS.PurgeQueue',
        'Content-Type': 'application/x-amz-json-1.0',
        Authorization:
          'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: JSON.stringify({ QueueUrl: url }),
    });
    expect(raw.status).toBe(400);
    expect(raw.headers.get('x-amzn-query-error')).toBe('AWS.SimpleQueueService.UnsupportedOperation;Sender');
    expect(await raw.json()).toMatchObject({ __type: 'com.amazonaws.sqs#UnsupportedOperation' });
    expect(UnsupportedOperation).toBeDefined();
    // A request scoped to another service is refused before anything is read.
    const unsigned = await fetch(`${shared.emu.endpoint}/`, {
      method: 'POST',
      headers: { 'X-Amz-Target': 'AmazonSQS.ListQueues' },
      body: '{}',
    });
    expect(unsigned.status).toBe(403);
  });

  it('a long poll whose client hangs up takes nothing', async () => {
    const url = await createQueue(sqs, 'q12');
    const abort = new AbortController();
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }), {
      abortSignal: abort.signal,
    });
    await new Promise((r) => setTimeout(r, 100));
    abort.abort();
    await expect(polling).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 100));
    await send(url, 'for the next receiver');
    const got = await receive(url, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
    expect(got.Messages?.map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual(['1']);
  });

  it('a queue cannot be its own dead-letter queue', async () => {
    const url = await createQueue(sqs, 'q13');
    const arn = (await depth(url)).QueueArn;
    const err = await rejection(
      sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: url,
          Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 1 }) },
        }),
      ),
    );
    expect(err.name).toBe('InvalidParameterValue');
  });

  it('reset deletes queues and ends waiting long polls empty', async () => {
    const url = await createQueue(sqs, 'q11');
    const polling = receive(url, { WaitTimeSeconds: 10 });
    await new Promise((r) => setTimeout(r, 100));
    shared.emu.reset();
    expect((await polling).Messages ?? []).toEqual([]);
    expect(await rejection(sqs.send(new GetQueueUrlCommand({ QueueName: 'q11' })))).toBeInstanceOf(
      QueueDoesNotExist,
    );
    expect(await rejection(sqs.send(new CreateQueueCommand({ QueueName: 'bad name!' })))).toBeInstanceOf(
      SQSServiceException,
    );
  });
});
