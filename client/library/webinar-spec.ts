/**
 * A webinar's input as the client handles it before anything is sent: checked with the workflow's own rules
 * (domain/validation/), and hashed so that a retried schedule() recognises the webinar it already started.
 */
import { createHash } from 'node:crypto';
import type { WebinarSpec } from '../../domain/types';
import { validateWebinarSpec } from '../../domain/validation/spec';
import { WebinarInputError } from './errors';

/** Memo key holding the SHA-256 of the normalized input: how a retried schedule() recognises its own webinar. */
export const SPEC_HASH_MEMO = 'specSha256';

/** Checks a webinar input with the workflow's own rules; throws WebinarInputError naming every bad field. */
export function checkWebinarSpec(spec: unknown): void {
  const validated = validateWebinarSpec(spec);
  if (!validated.ok) throw new WebinarInputError(validated.errors, 'webinar input');
}

/** Key-sorted JSON, so equal inputs hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function specHash(spec: WebinarSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}
