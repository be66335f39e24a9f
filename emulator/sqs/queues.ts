/**
 * The queues of the emulator's SQS subset: standard (not FIFO) queues per Region, their messages, visibility
 * timeouts, delays, receive counts, the redrive policy to a dead-letter queue, and long polling.
 *
 * Times of messages (sent, visible again, delay) are emulated time, like meetings' auto-end, so
 * `clock/advance` also expires visibility timeouts; a long poll waits real time (it is a connection's
 * duration), re-checking every POLL_TICK_MS and at once when a message is sent or the clock moves.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EmulatedClock } from '../clock';
import { invalidParameter, SqsError } from './errors';

/** Queues of all Regions together: far above what a bridge and its tests create. */
export const MAX_QUEUES = 1_000;
/** Messages kept per queue (visible, in flight and delayed); SQS has no such limit, a local process needs one. */
export const MAX_MESSAGES_PER_QUEUE = 1_000_000;
/** How often a waiting long poll looks again for messages that became visible with time. */
export const POLL_TICK_MS = 100;

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;
export const QUEUE_ARN = /^arn:(aws|aws-us-gov|aws-cn):sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,80})$/;

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

interface QueueAttributes {
  VisibilityTimeout: number;
  DelaySeconds: number;
  ReceiveMessageWaitTimeSeconds: number;
  MaximumMessageSize: number;
  MessageRetentionPeriod: number;
  RedrivePolicy?: RedrivePolicy;
  Policy?: string;
}

interface Message {
  messageId: string;
  body: string;
  md5: string;
  sentAt: number;
  /** Emulated time from which it may be received (delay, or the end of its visibility timeout). */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** The receipt handle of its latest receive: only that one deletes it or changes its visibility. */
  receipt?: string;
}

interface Waiter {
  wanted: number;
  visibility: number;
  attributes: AttributeSelection;
  resolve: (messages: ReceivedMessage[]) => void;
  timer: NodeJS.Timeout;
  tick: NodeJS.Timeout;
}

interface Queue {
  key: string;
  region: string;
  name: string;
  arn: string;
  createdAt: number;
  attributes: QueueAttributes;
  /** In send order; a message moves only when deleted or redriven. */
  messages: Map<string, Message>;
  waiters: Set<Waiter>;
  /** Messages moved to the dead-letter queue, messages deleted: for the state. */
  redriven: number;
  deleted: number;
}

export interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes?: Record<string, string>;
}

export interface QueueDepth {
  region: string;
  name: string;
  arn: string;
  /** ApproximateNumberOfMessages: visible now. */
  visible: number;
  /** ApproximateNumberOfMessagesNotVisible: received and not yet deleted or visible again. */
  inFlight: number;
  /** ApproximateNumberOfMessagesDelayed. */
  delayed: number;
  /** Messages moved to this queue's dead-letter queue, and deleted, since the queue was created. */
  redriven: number;
  deleted: number;
  deadLetterTargetArn?: string;
}

type AttributeSelection = 'all' | Set<string>;

const SYSTEM_ATTRIBUTES = new Set([
  'All',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SentTimestamp',
  'SenderId',
]);

const DEFAULTS: QueueAttributes = {
  VisibilityTimeout: 30,
  DelaySeconds: 0,
  ReceiveMessageWaitTimeSeconds: 0,
  MaximumMessageSize: 262_144,
  MessageRetentionPeriod: 345_600,
};

function md5(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

function integerIn(name: string, raw: unknown, min: number, max: number): number {
  const v = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new SqsError(
      'InvalidAttributeValue',
      `Invalid value for the parameter ${name}: ${String(raw)} (must be an integer in [${min}, ${max}])`,
    );
  }
  return v;
}

/** A request parameter (not an attribute): InvalidParameterValue when out of range. */
function param(name: string, raw: unknown, min: number, max: number): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max) {
    throw invalidParameter(
      `Value ${JSON.stringify(raw)} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}, if provided.`,
    );
  }
  return raw;
}

export interface QueueContext {
  accountId: string;
  region: string;
  /** Origin of queue URLs, e.g. http://127.0.0.1:8088: where the request came to. */
  origin: string;
}

export class QueueService {
  private queues = new Map<string, Queue>();
  private closed = false;

  constructor(private readonly clock: EmulatedClock) {}

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

  private parseAttributes(
    ctx: QueueContext,
    raw: unknown,
    base: QueueAttributes,
    self?: string,
  ): QueueAttributes {
    if (raw === undefined || raw === null) return { ...base };
    if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidParameter('Attributes must be a map');
    const out: QueueAttributes = { ...base };
    for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
      switch (name) {
        case 'VisibilityTimeout':
          out.VisibilityTimeout = integerIn(name, value, 0, 43_200);
          break;
        case 'DelaySeconds':
          out.DelaySeconds = integerIn(name, value, 0, 900);
          break;
        case 'ReceiveMessageWaitTimeSeconds':
          out.ReceiveMessageWaitTimeSeconds = integerIn(name, value, 0, 20);
          break;
        case 'MaximumMessageSize':
          out.MaximumMessageSize = integerIn(name, value, 1_024, 262_144);
          break;
        case 'MessageRetentionPeriod':
          out.MessageRetentionPeriod = integerIn(name, value, 60, 1_209_600);
          break;
        case 'Policy':
          if (typeof value !== 'string')
            throw new SqsError('InvalidAttributeValue', 'Policy must be a string');
          out.Policy = value;
          break;
        case 'RedrivePolicy':
          if (value === '') delete out.RedrivePolicy;
          else out.RedrivePolicy = this.parseRedrive(ctx, value, self);
          break;
        case 'FifoQueue':
        case 'ContentBasedDeduplication':
          throw invalidParameter(`${name}: FIFO queues are not emulated (standard queues only)`);
        default:
          throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      }
    }
    return out;
  }

  private parseRedrive(ctx: QueueContext, value: unknown, self?: string): RedrivePolicy {
    let parsed: unknown;
    try {
      parsed = typeof value === 'string' ? JSON.parse(value) : undefined;
    } catch {
      parsed = undefined;
    }
    const p = parsed as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown } | undefined;
    const arn = p?.deadLetterTargetArn;
    if (typeof arn !== 'string') {
      throw invalidParameter(
        'Value for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map with deadLetterTargetArn.',
      );
    }
    const maxReceiveCount = integerIn('RedrivePolicy.maxReceiveCount', p?.maxReceiveCount, 1, 1_000);
    const target = QUEUE_ARN.exec(arn);
    if (
      !target ||
      target[3] !== ctx.accountId ||
      target[2] !== ctx.region ||
      !this.has(ctx.region, target[4] ?? '')
    ) {
      throw invalidParameter(
        `Value ${arn} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.`,
      );
    }
    if (self !== undefined && target[4] === self) {
      throw invalidParameter(
        `Value ${arn} for parameter RedrivePolicy is invalid. Reason: A queue cannot be its own dead-letter queue.`,
      );
    }
    return { deadLetterTargetArn: arn, maxReceiveCount };
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
    const attributes = this.parseAttributes(ctx, input.Attributes, DEFAULTS, name);
    if (existing) {
      const given = this.parseAttributes(ctx, input.Attributes, existing.attributes, name);
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
    const all = this.attributesOf(q);
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
    q.attributes = this.parseAttributes(ctx, input.Attributes, q.attributes, q.name);
    return {};
  }

  private attributesOf(q: Queue): Record<string, string> {
    const d = this.depth(q);
    const a = q.attributes;
    const out: Record<string, string> = {
      QueueArn: q.arn,
      ApproximateNumberOfMessages: String(d.visible),
      ApproximateNumberOfMessagesNotVisible: String(d.inFlight),
      ApproximateNumberOfMessagesDelayed: String(d.delayed),
      CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(q.createdAt / 1000)),
      VisibilityTimeout: String(a.VisibilityTimeout),
      DelaySeconds: String(a.DelaySeconds),
      ReceiveMessageWaitTimeSeconds: String(a.ReceiveMessageWaitTimeSeconds),
      MaximumMessageSize: String(a.MaximumMessageSize),
      MessageRetentionPeriod: String(a.MessageRetentionPeriod),
      SqsManagedSseEnabled: 'false',
    };
    if (a.RedrivePolicy) out.RedrivePolicy = JSON.stringify(a.RedrivePolicy);
    if (a.Policy !== undefined) out.Policy = a.Policy;
    return out;
  }

  // ------------------------------------------------------------------ messages

  /** Puts a message on a queue (SendMessage, and the emulator's own events). */
  enqueue(q: Queue, body: string, delaySeconds?: number): Message {
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
  ): { MessageId: string; MD5OfMessageBody: string } {
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
    if (input.MessageAttributes !== undefined || input.MessageSystemAttributes !== undefined) {
      throw invalidParameter('Message attributes are not emulated');
    }
    if (input.MessageGroupId !== undefined || input.MessageDeduplicationId !== undefined) {
      throw invalidParameter(
        'MessageGroupId and MessageDeduplicationId apply to FIFO queues, which are not emulated',
      );
    }
    const delay = param('DelaySeconds', input.DelaySeconds, 0, 900);
    const m = this.enqueue(q, body, delay);
    return { MessageId: m.messageId, MD5OfMessageBody: m.md5 };
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
    const attributes = this.selection(input);
    const now = this.take(q, wanted, visibility, attributes);
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

  private selection(input: Record<string, unknown>): AttributeSelection {
    const names = [
      ...((input.MessageSystemAttributeNames as unknown[] | undefined) ?? []),
      ...((input.AttributeNames as unknown[] | undefined) ?? []),
    ];
    for (const n of names) {
      if (typeof n !== 'string' || !SYSTEM_ATTRIBUTES.has(n)) {
        throw new SqsError('InvalidAttributeName', `Unknown Attribute ${String(n)}.`);
      }
    }
    return names.includes('All') ? 'all' : new Set(names as string[]);
  }

  /** Hands waiting long polls what has become visible, oldest waiter first. */
  private wake(q: Queue): void {
    for (const w of [...q.waiters]) {
      const got = this.take(q, w.wanted, w.visibility, w.attributes);
      if (got.length === 0) return;
      w.resolve(got);
    }
  }

  /** Receives up to `wanted` visible messages; a message past its maxReceiveCount goes to the dead-letter queue. */
  private take(
    q: Queue,
    wanted: number,
    visibility: number,
    attributes: AttributeSelection,
  ): ReceivedMessage[] {
    const now = this.clock.now();
    const out: ReceivedMessage[] = [];
    const redrive = q.attributes.RedrivePolicy;
    const dlq = redrive ? this.dlqOf(redrive) : undefined;
    for (const m of q.messages.values()) {
      if (out.length >= wanted) break;
      if (m.visibleAt > now) continue;
      if (redrive && dlq && m.receiveCount >= redrive.maxReceiveCount) {
        q.messages.delete(m.messageId);
        q.redriven++;
        m.receipt = undefined;
        m.visibleAt = now;
        dlq.messages.set(m.messageId, m);
        this.wake(dlq);
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
        ...(this.attributesFor(m, attributes) ?? {}),
      });
    }
    return out;
  }

  private dlqOf(redrive: RedrivePolicy): Queue | undefined {
    const m = QUEUE_ARN.exec(redrive.deadLetterTargetArn);
    return m ? this.queues.get(QueueService.key(m[2] ?? '', m[4] ?? '')) : undefined;
  }

  private attributesFor(
    m: Message,
    sel: AttributeSelection,
  ): { Attributes: Record<string, string> } | undefined {
    const all: Record<string, string> = {
      ApproximateReceiveCount: String(m.receiveCount),
      ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
      SentTimestamp: String(m.sentAt),
      SenderId: 'AIDAEMULATOR',
    };
    if (sel === 'all') return { Attributes: all };
    if (sel.size === 0) return undefined;
    const out: Record<string, string> = {};
    for (const n of sel) if (all[n] !== undefined) out[n] = all[n];
    return { Attributes: out };
  }

  /** The message a receipt handle names in this queue; ReceiptHandleIsInvalid when it names none of its messages. */
  private receipt(q: Queue, handle: unknown): { message?: Message; current: boolean } {
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

  /**
   * DeleteMessage: the latest receipt handle deletes the message. As SQS documents, an older handle of a message
   * received again, or one of a message already deleted, succeeds without deleting anything.
   */
  deleteMessage(ctx: QueueContext, input: Record<string, unknown>): Record<string, never> {
    this.remove(this.queue(ctx, input), input.ReceiptHandle);
    return {};
  }

  private remove(q: Queue, handle: unknown): void {
    const { message, current } = this.receipt(q, handle);
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
    const entries = input.Entries;
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
    const Successful: Array<{ Id: string }> = [];
    const Failed: Array<{ Id: string; SenderFault: boolean; Code: string; Message: string }> = [];
    for (const e of entries as Array<{ Id: string; ReceiptHandle?: unknown }>) {
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
    const { message, current } = this.receipt(q, input.ReceiptHandle);
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

  private depth(q: Queue): QueueDepth {
    const now = this.clock.now();
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

  depths(): QueueDepth[] {
    return [...this.queues.values()].map((q) => this.depth(q));
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

/** Attributes GetQueueAttributes may name that this emulator does not report (answered without them). */
const KNOWN_QUEUE_ATTRIBUTES = new Set([
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'RedriveAllowPolicy',
  'Policy',
  'RedrivePolicy',
]);
