import { createHash } from 'node:crypto';

/**
 * ExternalUserId and ExternalMeetingId are personal data: logs carry only a recognisable stub (the first two
 * characters) and a short, stable hash suffix, so one person's lines can still be correlated without the value.
 */
export function redact(value: string | undefined | null): string {
  if (value === undefined || value === null) return '<none>';
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 8);
  return `${value.slice(0, 2)}…#${hash}`;
}
