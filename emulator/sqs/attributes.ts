/** Queue attributes (parsed from CreateQueue / SetQueueAttributes, written for GetQueueAttributes) and message system attributes. */
import { invalidParameter, SqsError } from './errors';
import {
  integerIn,
  QUEUE_ARN,
  SYSTEM_ATTRIBUTES,
  type AttributeSelection,
  type Message,
  type Queue,
  type QueueAttributes,
  type QueueContext,
  type QueueDepth,
  type RedrivePolicy,
} from './model';

/** Whether this emulator has the queue (a dead-letter target must exist). */
export type QueueExists = (region: string, name: string) => boolean;

export function parseAttributes(
  ctx: QueueContext,
  exists: QueueExists,
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
        if (typeof value !== 'string') throw new SqsError('InvalidAttributeValue', 'Policy must be a string');
        out.Policy = value;
        break;
      case 'RedrivePolicy':
        if (value === '') delete out.RedrivePolicy;
        else out.RedrivePolicy = parseRedrive(ctx, exists, value, self);
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

export function parseRedrive(
  ctx: QueueContext,
  exists: QueueExists,
  value: unknown,
  self?: string,
): RedrivePolicy {
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
    !exists(ctx.region, target[4] ?? '')
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

export function attributesOf(q: Queue, d: QueueDepth): Record<string, string> {
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

export function selection(input: Record<string, unknown>): AttributeSelection {
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

export function attributesFor(
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

/** Attributes GetQueueAttributes may name that this emulator does not report (answered without them). */
export const KNOWN_QUEUE_ATTRIBUTES = new Set([
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
