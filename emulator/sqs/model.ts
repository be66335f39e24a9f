/** The records, limits and small helpers of the emulator's SQS subset. */
import { createHash } from 'node:crypto';
import { invalidParameter, SqsError } from './errors';
import type { MessageAttributes, MessageAttributeSelection } from './message-attributes';

/** Queues of all Regions together: far above what a bridge and its tests create. */
export const MAX_QUEUES = 1_000;
/** Messages kept per queue (visible, in flight and delayed); SQS has no such limit, a local process needs one. */
export const MAX_MESSAGES_PER_QUEUE = 1_000_000;
/** How often a waiting long poll looks again for messages that became visible with time. */
export const POLL_TICK_MS = 100;

export const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
export const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;
export const QUEUE_ARN = /^arn:(aws|aws-us-gov|aws-cn):sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,80})$/;

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export interface QueueAttributes {
  VisibilityTimeout: number;
  DelaySeconds: number;
  ReceiveMessageWaitTimeSeconds: number;
  MaximumMessageSize: number;
  MessageRetentionPeriod: number;
  RedrivePolicy?: RedrivePolicy;
  Policy?: string;
}

export interface Message {
  messageId: string;
  body: string;
  md5: string;
  sentAt: number;
  /** Emulated time from which it may be received (delay, or the end of its visibility timeout). */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** SendMessage's MessageAttributes (events the emulator emits have none). */
  messageAttributes?: MessageAttributes;
  /** The receipt handle of its latest receive: only that one deletes it or changes its visibility. */
  receipt?: string;
}

export interface Waiter {
  wanted: number;
  visibility: number;
  attributes: AttributeSelection;
  messageAttributes: MessageAttributeSelection;
  resolve: (messages: ReceivedMessage[]) => void;
  timer: NodeJS.Timeout;
  tick: NodeJS.Timeout;
}

export interface Queue {
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
  MessageAttributes?: MessageAttributes;
  MD5OfMessageAttributes?: string;
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

export type AttributeSelection = 'all' | Set<string>;

export const SYSTEM_ATTRIBUTES = new Set([
  'All',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SentTimestamp',
  'SenderId',
]);

export const DEFAULTS: QueueAttributes = {
  VisibilityTimeout: 30,
  DelaySeconds: 0,
  ReceiveMessageWaitTimeSeconds: 0,
  MaximumMessageSize: 262_144,
  MessageRetentionPeriod: 345_600,
};

export function md5(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

export function integerIn(name: string, raw: unknown, min: number, max: number): number {
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
export function param(name: string, raw: unknown, min: number, max: number): number | undefined {
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
