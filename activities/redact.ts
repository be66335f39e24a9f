import { createHash } from 'node:crypto';

/**
 * The one home of what must not be written to a log line, a metric or an error meant for people:
 *
 * - `redact()`: ExternalUserId and ExternalMeetingId are personal data; logs carry only a recognisable stub
 *   (the first two characters) and a short, stable hash suffix, so one person's lines can still be correlated.
 * - `scrubValue()`: log metadata with every secret or personal key replaced by "[redacted]" however deep (up to
 *   MAX_SCRUB_DEPTH, past which "[truncated]" stands in for the rest), and every string scrubbed by `scrubText()`.
 * - `scrubText()`: JoinTokens, task tokens, bearer tokens, AWS credentials and signatures removed from free
 *   text (log messages, error messages, stack traces), where no key says what they are.
 */
export function redact(value: string | undefined | null): string {
  if (value === undefined || value === null) return '<none>';
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 8);
  return `${value.slice(0, 2)}…#${hash}`;
}

export const REDACTED = '[redacted]';
export const TRUNCATED = '[truncated]';
/** Nesting levels of log metadata that are written; deeper values become "[truncated]". */
export const MAX_SCRUB_DEPTH = 6;

/**
 * Keys whose values never reach a log line, compared after lower-casing and dropping every character that is
 * not a letter or digit (so `join_token`, `JoinToken` and `x-amz-security-token` all match).
 */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  // Chime: the attendee's credential, and personal data.
  'jointoken',
  'externaluserid',
  'externaluserids',
  'externalmeetingid',
  // AWS credentials and request signing.
  'accesskeyid',
  'secretaccesskey',
  'sessiontoken',
  'xamzsecuritytoken',
  'credentials',
  'signature',
  // HTTP and generic secrets.
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'token',
  'apikey',
  'password',
  'passphrase',
  'secret',
  'clientsecret',
  'privatekey',
  // Temporal: an activity's task token completes it from anywhere (the SDK adds it to every activity log line).
  'tasktoken',
  'base64tasktoken',
  // This project's secrets, should a config object ever be logged.
  'payloadencryptionkeys',
  'codecservertoken',
  'codecservertokens',
  'temporalapikey',
]);

/** Suffixes that mark a key as secret too (`refreshToken`, `dbPassword`, …), except the names below. */
const SECRET_SUFFIXES = ['token', 'password', 'secret', 'apikey', 'privatekey', 'accesskey'];
/** Idempotency and pagination tokens: not credentials, and worth seeing when debugging. */
const NOT_SECRET = new Set(['clientrequesttoken', 'nexttoken']);

export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (NOT_SECRET.has(k)) return false;
  return SECRET_KEYS.has(k) || SECRET_SUFFIXES.some((s) => k.endsWith(s));
}

/** `key=value`, `key: value`, `"key":"value"` for the secret keys that show up in text. */
const KEYED_SECRET =
  /(?<![A-Za-z0-9])(join[-_]?token|task[-_]?token|session[-_]?token|x-amz-security-token|secret[-_]?access[-_]?key|access[-_]?token|api[-_]?key|password|passphrase|token)(\\?["']?\s*[:=]\s*\\?["']?)([^\s"'\\,;&}\]]+)/gi;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
/** AWS access key IDs (long-term AKIA…, temporary ASIA…). */
const AWS_ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g;
/** SigV4: `Credential=AKIA…/date/region/service/aws4_request` and `Signature=<hex>`. */
const SIGV4 = /\b(Credential|Signature)=[^\s,]+/g;
/**
 * A high-entropy run of 40 or more base64/base64url characters with upper case, lower case and digits: a
 * JoinToken, a task token, an AWS secret key. UUIDs (meeting and run IDs), hex hashes and paths do not match.
 */
const OPAQUE_TOKEN = /[A-Za-z0-9+/_-]{40,}={0,2}/g;

function looksOpaque(run: string): boolean {
  return /[a-z]/.test(run) && /[A-Z]/.test(run) && /[0-9]/.test(run);
}

export function scrubText(text: string): string {
  return text
    .replace(KEYED_SECRET, (_m, key: string, sep: string) => `${key}${sep}${REDACTED}`)
    .replace(BEARER, (_m, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(SIGV4, (_m, name: string) => `${name}=${REDACTED}`)
    .replace(AWS_ACCESS_KEY_ID, REDACTED)
    .replace(OPAQUE_TOKEN, (run) => (looksOpaque(run) ? REDACTED : run));
}

/** Log metadata made safe to write: see the top of this file. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_SCRUB_DEPTH) return TRUNCATED;
  if (value instanceof Error) {
    const cause = (value as { cause?: unknown }).cause;
    return {
      name: value.name,
      message: scrubText(value.message),
      ...(value.stack !== undefined ? { stack: scrubText(value.stack) } : {}),
      ...(cause !== undefined ? { cause: scrubValue(cause, depth + 1) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = isSecretKey(key) ? REDACTED : scrubValue(v, depth + 1);
  }
  return out;
}
