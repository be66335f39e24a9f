/**
 * Message attributes of SendMessage (String and Number; Binary is not emulated), kept with the message, through
 * a redrive too, and returned by ReceiveMessage for the names its MessageAttributeNames asks (`All`, `.*`,
 * `prefix.*`, exact names), with SQS's MD5OfMessageAttributes.
 */
import { createHash } from 'node:crypto';
import { invalidParameter } from './errors';

export interface MessageAttribute {
  DataType: string;
  StringValue: string;
}
export type MessageAttributes = Record<string, MessageAttribute>;
/** What ReceiveMessage's MessageAttributeNames asks for: nothing, everything, or names and prefixes. */
export type MessageAttributeSelection = 'none' | 'all' | { names: Set<string>; prefixes: string[] };

const MAX_ATTRIBUTES = 10;
const NAME = /^[A-Za-z0-9_-](?:[A-Za-z0-9_.-]{0,254}[A-Za-z0-9_-])?$/;
const DATA_TYPE = /^(String|Number)(\.[A-Za-z0-9_.-]{1,200})?$/;

/** SendMessage's MessageAttributes, checked; undefined when there are none. */
export function parseMessageAttributes(raw: unknown): MessageAttributes | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw invalidParameter('MessageAttributes must be a map');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > MAX_ATTRIBUTES) {
    throw invalidParameter(
      `Number of message attributes [${entries.length}] exceeds the allowed maximum [10].`,
    );
  }
  const out: MessageAttributes = {};
  for (const [name, value] of entries) {
    if (!NAME.test(name) || name.includes('..') || /^(aws\.|amazon\.)/i.test(name)) {
      throw invalidParameter(`Message attribute name '${name}' is invalid.`);
    }
    const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const type = v.DataType;
    if (typeof type !== 'string' || !DATA_TYPE.test(type)) {
      throw invalidParameter(
        `The message attribute '${name}' has an invalid message attribute type (String and Number are emulated).`,
      );
    }
    if (typeof v.StringValue !== 'string' || v.StringValue === '') {
      throw invalidParameter(
        `The message attribute '${name}' must contain a non-empty message attribute value.`,
      );
    }
    if (type.startsWith('Number') && !Number.isFinite(Number(v.StringValue))) {
      throw invalidParameter(`Can't cast the value of message attribute '${name}' to a number.`);
    }
    out[name] = { DataType: type, StringValue: v.StringValue };
  }
  return entries.length > 0 ? out : undefined;
}

export function messageAttributeSelection(raw: unknown): MessageAttributeSelection {
  if (raw === undefined || raw === null) return 'none';
  if (!Array.isArray(raw) || raw.some((n) => typeof n !== 'string')) {
    throw invalidParameter('MessageAttributeNames must be a list of names');
  }
  const names = raw as string[];
  if (names.length === 0) return 'none';
  if (names.includes('All') || names.includes('.*')) return 'all';
  return {
    names: new Set(names.filter((n) => !n.endsWith('.*'))),
    prefixes: names.filter((n) => n.endsWith('.*')).map((n) => n.slice(0, -1)),
  };
}

/** The attributes a receive returns, with their MD5 (SQS's algorithm: sorted names, length-prefixed fields). */
export function messageAttributesFor(
  attributes: MessageAttributes | undefined,
  sel: MessageAttributeSelection,
): { MessageAttributes: MessageAttributes; MD5OfMessageAttributes: string } | undefined {
  if (!attributes || sel === 'none') return undefined;
  const chosen = Object.entries(attributes).filter(
    ([name]) => sel === 'all' || sel.names.has(name) || sel.prefixes.some((p) => name.startsWith(p)),
  );
  if (chosen.length === 0) return undefined;
  const hash = createHash('md5');
  const field = (s: string): void => {
    const bytes = Buffer.from(s, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length).update(bytes);
  };
  for (const [name, a] of [...chosen].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    field(name);
    field(a.DataType);
    hash.update(Buffer.from([1])); // transport type: string
    field(a.StringValue);
  }
  return { MessageAttributes: Object.fromEntries(chosen), MD5OfMessageAttributes: hash.digest('hex') };
}
