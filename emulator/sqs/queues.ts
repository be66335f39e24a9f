/**
 * The queues of the emulator's SQS subset: standard (not FIFO) queues per Region, their messages, visibility
 * timeouts, delays, receive counts, the redrive policy to a dead-letter queue, and long polling.
 *
 * Times of messages (sent, visible again, delay) are emulated time, like meetings' auto-end, so
 * `clock/advance` also expires visibility timeouts; a long poll waits real time (it is a connection's
 * duration), re-checking every POLL_TICK_MS and at once when a message is sent or the clock moves.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatedClock } from '../clock';
import { attributesOf, parseAttributes, selection, KNOWN_QUEUE_ATTRIBUTES } from './attributes';
import { invalidParameter, SqsError } from './errors';
import {
  messageAttributeSelection,
  messageAttributesFor,
  parseMessageAttributes,
  type MessageAttributes,
  type MessageAttributeSelection,
} from './message-attributes';
import { batchEntries, depthOf, parseReceipt, takeMessages } from './messages';
import {
  DEFAULTS,
  MAX_MESSAGES_PER_QUEUE,
  MAX_QUEUES,
  md5,
  param,
  POLL_TICK_MS,
  QUEUE_ARN,
  QUEUE_NAME,
  type AttributeSelection,
  type Message,
  type Queue,
  type QueueContext,
  type QueueDepth,
  type ReceivedMessage,
  type Waiter,
} from './model';

export type { QueueContext, QueueDepth, ReceivedMessage, RedrivePolicy } from './model';
export { MAX_MESSAGES_PER_QUEUE, MAX_QUEUES, POLL_TICK_MS, QUEUE_ARN } from './model';

export class QueueService {
  private queues = new Map<string, Queue>();
  private closed = false;

  constructor(private readonly clock: EmulatedClock) {}

  private readonly exists = (region: string, name: string): boolean => this.has(region, name);

  static key(region: string, name: string): string {
    return `${region}/${name}`;
  }

  // ------------------------------------------------------------------ queues

  has(region: string, name: string): boolean {
    return this.queues.has(QueueService.key(region, name));
  }

  /** The queue a same-account ARN names, if this emulator has it. */
  byArn(arn: string, accountId: string): { region: string; name: string } | undefined {
    const m = QUEUE_ARN.exec(arn);
    if (!m || m[3] !== accountId) return undefined;
    const [region = '', name = ''] = [m[2], m[4]];
    return this.has(region, name) ? { region, name } : undefined;
  }

  private url(ctx: QueueContext, q: Queue): string {
    return `${ctx.origin}/${ctx.accountId}/${q.name}`;
  }

  private arnOf(ctx: QueueContext, name: string): string {
    const partition = ctx.region.startsWith('us-gov-')
      ? 'aws-us-gov'
      : ctx.region.startsWith('cn-')
        ? 'aws-cn'
        : 'aws';
    return `arn:${partition}:sqs:${ctx.region}:${ctx.accountId}:${name}`;
  }

  /** CreateQueue: idempotent when the attributes match; QueueNameExists when they differ. */
  createQueue(ctx: QueueContext, input: Record<string, unknown>): { QueueUrl: string } {
    const name = input.QueueName;
    if (typeof name !== 'string')
      throw new SqsError('MissingParameter', 'The request must contain the parameter QueueName.');
    if (name.endsWith('.fifo')) throw invalidParameter('FIFO queues are not emulated (standard queues only)');
    if (!QUEUE_NAME.test(name)) {
      throw invalidParameter(
        'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      );
    }
    const key = QueueService.key(ctx.region, name);
    const existing = this.queues.get(key);
    const attributes = parseAttributes(ctx, this.exists, input.Attributes, DEFAULTS, name);
    if (existing) {
      const given = parseAttributes(ctx, this.exists, input.Attributes, existing.attributes, name);
      if (JSON.stringify(given) !== JSON.stringify(existing.attributes)) {
        throw new SqsError(
          'QueueNameExists',
          'A queue already exists with the same name and a different value for attribute(s)',
        );
      }
      return { QueueUrl: this.url(ctx, existing) };
    }
    if (this.queues.size >= MAX_QUEUES)
      throw new SqsError('OverLimit', `The emulator keeps at most ${MAX_QUEUES} queues`);
    const q: Queue = {
      key,
      region: ctx.region,
      name,
      arn: this.arnOf(ctx, name),
      createdAt: this.clock.now(),
      attributes,
      messages: new Map(),
      waiters: new Set(),
      redriven: 0,
      deleted: 0,
    };
    this.queues.set(key, q);
    return { QueueUrl: this.url(ctx, q) };
  }

  /** Creates the queue with default attributes unless it exists (the config's default event queues). */
  ensure(ctx: Omit<QueueContext, 'origin'>, name: string): void {
    if (this.has(ctx.region, name)) return;
    this.createQueue({ ...ctx, origin: 'http://emulator' }, { QueueName: name });
  }

  getQueueUrl(ctx: QueueContext, input: Record<string, unknown>): { QueueUrl: string } {
    const name = input.QueueName;
    if (typeof name !== 'string')
      throw new SqsError('MissingParameter', 'The request must contain the parameter QueueName.');
    const owner = input.QueueOwnerAWSAccountId;
    const q = this.queues.get(QueueService.key(ctx.region, name));
    if (!q || (owner !== undefined && owner !== ctx.accountId)) {
      throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    }
    return { QueueUrl: this.url(ctx, q) };
  }

  /** The queue a QueueUrl names: its last two path segments are the account and the name. */
  private queue(ctx: QueueContext, input: Record<string, unknown>): Queue {
    const url = input.QueueUrl;
    if (typeof url !== 'string')
      throw new SqsError('MissingParameter', 'The request must contain the parameter QueueUrl.');
    let parts: string[];
    try {
      parts = new URL(url).pathname.split('/').filter((s) => s !== '');
    } catch {
      parts = url.split('/').filter((s) => s !== '');
    }
    const [account, name] = parts.slice(-2);
    const q =
      account === ctx.accountId && name ? this.queues.get(QueueService.key(ctx.region, name)) : undefined;
    if (!q) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    return q;
  }

  getQueueAttributes(
    ctx: QueueContext,
    input: Record<string, unknown>,
  ): { Attributes: Record<string, string> } {
    const q = this.queue(ctx, input);
    const names = (input.AttributeNames as unknown[] | undefined) ?? [];
    if (!Array.isArray(names)) throw invalidParameter('AttributeNames must be a list');
    const all = attributesOf(q, depthOf(q, this.clock.now()));
    if (names.length === 0) return { Attributes: {} };
    if (names.includes('All')) return { Attributes: all };
    const out: Record<string, string> = {};
    for (const n of names) {
      if (typeof n !== 'string' || (!(n in all) && !KNOWN_QUEUE_ATTRIBUTES.has(n))) {
        throw new SqsError('InvalidAttributeName', `Unknown Attribute ${String(n)}.`);
      }
      const v = all[n];
      if (v !== undefined) out[n] = v;
    }
    return { Attributes: out };
  }

  setQueueAttributes(ctx: QueueContext, input: Record<string, unknown>): Record<string, never> {
    const q = this.queue(ctx, input);
    q.attributes = parseAttributes(ctx, this.exists, input.Attributes, q.attributes, q.name);
    return {};
  }

  // ------------------------------------------------------------------ messages

  /** Puts a message on a queue (SendMessage, and the emulator's own events). */
  enqueue(q: Queue, body: string, delaySeconds?: number, messageAttributes?: MessageAttributes): Message {
    if (q.messages.size >= MAX_MESSAGES_PER_QUEUE) {
      throw new SqsError(
        'OverLimit',
        `The emulator keeps at most ${MAX_MESSAGES_PER_QUEUE} messages per queue`,
      );
    }
    const now = this.clock.now();
    const m: Message = {
      messageId: randomUUID(),
      body,
      md5: md5(body),
      sentAt: now,
      visibleAt: now + (delaySeconds ?? q.attributes.DelaySeconds) * 1000,
      receiveCount: 0,
      ...(messageAttributes ? { messageAttributes } : {}),
    };
    q.messages.set(m.messageId, m);
    this.wake(q);
    return m;
  }

  /** An event's delivery: false when the queue does not exist (the event is dropped). */
  deliver(region: string, name: string, body: string): boolean {
    const q = this.queues.get(QueueService.key(region, name));
    if (!q || q.messages.size >= MAX_MESSAGES_PER_QUEUE) return false;
    this.enqueue(q, body);
    return true;
  }

  sendMessage(
    ctx: QueueContext,
    input: Record<string, unknown>,
  ): { MessageId: string; MD5OfMessageBody: string; MD5OfMessageAttributes?: string } {
    const q = this.queue(ctx, input);
    const body = input.MessageBody;
    if (typeof body !== 'string')
      throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.');
    if (body.length === 0) throw invalidParameter('The message body must be at least 1 character long.');
    if (Buffer.byteLength(body) > q.attributes.MaximumMessageSize) {
      throw invalidParameter(
        `One or more parameters are invalid. Reason: Message must be shorter than ${q.attributes.MaximumMessageSize} bytes.`,
      );
    }
    if (input.MessageSystemAttributes !== undefined) {
      throw invalidParameter('Message system attributes are not emulated');
    }
    const attributes = parseMessageAttributes(input.MessageAttributes);
    if (input.MessageGroupId !== undefined || input.MessageDeduplicationId !== undefined) {
      throw invalidParameter(
        'MessageGroupId and MessageDeduplicationId apply to FIFO queues, which are not emulated',
      );
    }
    const delay = param('DelaySeconds', input.DelaySeconds, 0, 900);
    const m = this.enqueue(q, body, delay, attributes);
    const md5s = messageAttributesFor(attributes, 'all');
    return {
      MessageId: m.messageId,
      MD5OfMessageBody: m.md5,
      ...(md5s ? { MD5OfMessageAttributes: md5s.MD5OfMessageAttributes } : {}),
    };
  }

  /** ReceiveMessage: at once when messages are visible or WaitTimeSeconds is 0, else when one arrives or time is up. */
  receiveMessage(
    ctx: QueueContext,
    input: Record<string, unknown>,
    cancelled?: Promise<void>,
  ): Promise<{ Messages?: ReceivedMessage[] }> {
    const q = this.queue(ctx, input);
    const wanted = param('MaxNumberOfMessages', input.MaxNumberOfMessages, 1, 10) ?? 1;
    const wait =
      param('WaitTimeSeconds', input.WaitTimeSeconds, 0, 20) ?? q.attributes.ReceiveMessageWaitTimeSeconds;
    const visibility =
      param('VisibilityTimeout', input.VisibilityTimeout, 0, 43_200) ?? q.attributes.VisibilityTimeout;
    const attributes = selection(input);
    const messageAttributes = messageAttributeSelection(input.MessageAttributeNames);
    const now = this.take(q, wanted, visibility, attributes, messageAttributes);
    const wrap = (messages: ReceivedMessage[]): { Messages?: ReceivedMessage[] } =>
      messages.length > 0 ? { Messages: messages } : {};
    if (now.length > 0 || wait === 0 || this.closed) return Promise.resolve(wrap(now));
    return new Promise((resolve) => {
      const done = (messages: ReceivedMessage[]): void => {
        clearTimeout(waiter.timer);
        clearInterval(waiter.tick);
        q.waiters.delete(waiter);
        resolve(wrap(messages));
      };
      const waiter: Waiter = {
        wanted,
        visibility,
        attributes,
        messageAttributes,
        resolve: done,
        timer: setTimeout(() => done([]), wait * 1000),
        tick: setInterval(() => this.wake(q), POLL_TICK_MS),
      };
      q.waiters.add(waiter);
      // A client that hangs up stops waiting, so it takes no message it would never see.
      void cancelled?.then(() => {
        if (q.waiters.has(waiter)) done([]);
      });
    });
  }

  /** Hands waiting long polls what has become visible, oldest waiter first. */
  private wake(q: Queue): void {
    for (const w of [...q.waiters]) {
      const got = this.take(q, w.wanted, w.visibility, w.attributes, w.messageAttributes);
      if (got.length === 0) return;
      w.resolve(got);
    }
  }

  /** Receives up to `wanted` visible messages now; redriven ones wake the dead-letter queue's long polls. */
  private take(
    q: Queue,
    wanted: number,
    visibility: number,
    attributes: AttributeSelection,
    messageAttributes: MessageAttributeSelection,
  ): ReceivedMessage[] {
    const redrive = q.attributes.RedrivePolicy;
    const target = redrive ? QUEUE_ARN.exec(redrive.deadLetterTargetArn) : null;
    const dlq = target ? this.queues.get(QueueService.key(target[2] ?? '', target[4] ?? '')) : undefined;
    const wake = (d: Queue): void => this.wake(d);
    return takeMessages(q, this.clock.now(), dlq, wake, wanted, visibility, attributes, messageAttributes);
  }

  /**
   * DeleteMessage: the latest receipt handle deletes the message. As SQS documents, an older handle of a message
   * received again, or one of a message already deleted, succeeds without deleting anything.
   */
  deleteMessage(ctx: QueueContext, input: Record<string, unknown>): Record<string, never> {
    this.remove(this.queue(ctx, input), input.ReceiptHandle);
    return {};
  }

  private remove(q: Queue, handle: unknown): void {
    const { message, current } = parseReceipt(q, handle);
    if (message && current) {
      q.messages.delete(message.messageId);
      q.deleted++;
    }
  }

  deleteMessageBatch(
    ctx: QueueContext,
    input: Record<string, unknown>,
  ): {
    Successful: Array<{ Id: string }>;
    Failed: Array<{ Id: string; SenderFault: boolean; Code: string; Message: string }>;
  } {
    const q = this.queue(ctx, input);
    const entries = batchEntries(input.Entries);
    const Successful: Array<{ Id: string }> = [];
    const Failed: Array<{ Id: string; SenderFault: boolean; Code: string; Message: string }> = [];
    for (const e of entries) {
      try {
        this.remove(q, e.ReceiptHandle);
        Successful.push({ Id: e.Id });
      } catch (err) {
        if (!(err instanceof SqsError)) throw err;
        Failed.push({ Id: e.Id, SenderFault: true, Code: err.type, Message: err.message });
      }
    }
    return { Successful, Failed };
  }

  /** ChangeMessageVisibility: on the latest receipt of a message in flight; else MessageNotInflight. */
  changeMessageVisibility(ctx: QueueContext, input: Record<string, unknown>): Record<string, never> {
    const q = this.queue(ctx, input);
    const timeout = param('VisibilityTimeout', input.VisibilityTimeout, 0, 43_200);
    if (timeout === undefined) {
      throw new SqsError('MissingParameter', 'The request must contain the parameter VisibilityTimeout.');
    }
    const { message, current } = parseReceipt(q, input.ReceiptHandle);
    const now = this.clock.now();
    if (!message || !current || message.visibleAt <= now) {
      throw new SqsError('MessageNotInflight', 'The message referred to is not in flight.');
    }
    message.visibleAt = now + timeout * 1000;
    if (timeout === 0) this.wake(q);
    return {};
  }

  // ------------------------------------------------------------------ admin

  /** After the clock moved: visibility timeouts may have ended. */
  wakeAll(): void {
    for (const q of this.queues.values()) if (q.waiters.size > 0) this.wake(q);
  }

  depths(): QueueDepth[] {
    return [...this.queues.values()].map((q) => depthOf(q, this.clock.now()));
  }

  /** Deletes every queue; waiting long polls return empty. */
  clear(): void {
    for (const q of this.queues.values()) for (const w of [...q.waiters]) w.resolve([]);
    this.queues.clear();
  }

  /** Stops: waiting long polls return empty, none waits from now on. */
  close(): void {
    this.closed = true;
    this.clear();
  }
}
