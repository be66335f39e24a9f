/**
 * Who may use the codec server, and how often they may get it wrong.
 *
 * Users (CODEC_SERVER_TOKENS): `name:role:secret[:namespace|namespace…]`, comma-separated. The role is `decode`
 * (read histories: the UI, `temporal workflow show`) or `encode+decode` (also make payloads for a start or a
 * signal). The secret is at least 32 characters, no whitespace and no `:`; the optional namespaces narrow the
 * server's allow-list for that user. The name is what logs say; the secret is never logged or echoed.
 *
 * A presented token is compared with every user's secret by SHA-256 digest in constant time (timingSafeEqual),
 * so neither its length nor how much of it matched shows in the time taken.
 *
 * Failures (a wrong token, a refused namespace or role) spend a budget per client address and per user: a token
 * bucket of `burst` failures refilling one every `refillSeconds`. An empty bucket is answered 429 with
 * Retry-After before the token is even looked at. Buckets are forgotten least recently used first beyond
 * `maxKeys`, so a flood of addresses costs bounded memory.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const CODEC_SERVER_TOKENS_ENV = 'CODEC_SERVER_TOKENS';
export const MIN_CODEC_SECRET_CHARS = 32;
export const ROLES = ['decode', 'encode+decode'] as const;
export type CodecRole = (typeof ROLES)[number];

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Temporal's namespace names: letters, digits, `.`, `_`, `-`, at most 255. */
export const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

export interface CodecUser {
  name: string;
  role: CodecRole;
  secret: string;
  /** Unset: every namespace of the server's allow-list. */
  namespaces?: string[];
}

/** The users; throws naming the entry (by position and name, never by secret) that is wrong. */
export function parseCodecUsers(value: string): CodecUser[] {
  const users = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry, i): CodecUser => {
      const [name = '', role = '', secret = '', namespaces, ...rest] = entry.split(':');
      if (!NAME.test(name))
        throw new Error(
          `entry ${i + 1} must be name:role:secret, the name 1-64 letters, digits, . _ - (the secret may not contain ":")`,
        );
      if (rest.length > 0)
        throw new Error(`entry "${name}" has too many ":" (name:role:secret[:namespaces])`);
      const known = ROLES.find((r) => r === role);
      if (!known) throw new Error(`the role of "${name}" must be ${ROLES.join(' or ')}`);
      if (secret.length < MIN_CODEC_SECRET_CHARS || /\s/.test(secret))
        throw new Error(
          `the secret of "${name}" must be at least ${MIN_CODEC_SECRET_CHARS} characters, no whitespace`,
        );
      if (namespaces === undefined) return { name, role: known, secret };
      const list = namespaces.split('|').map((n) => n.trim());
      if (list.some((n) => !NAMESPACE.test(n)))
        throw new Error(`the namespaces of "${name}" must be namespace names separated by "|"`);
      return { name, role: known, secret, namespaces: list };
    });
  if (users.length === 0) throw new Error('lists no token (name:role:secret,...)');
  if (new Set(users.map((u) => u.name)).size !== users.length) throw new Error('names a user twice');
  if (new Set(users.map((u) => u.secret)).size !== users.length)
    throw new Error('gives two users the same secret');
  return users;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The user an Authorization header (`Bearer <secret>`) names, or undefined. */
export function codecUserMatcher(
  users: readonly CodecUser[],
): (authorization: unknown) => CodecUser | undefined {
  const expected = users.map((user) => ({ user, digest: digest(`Bearer ${user.secret}`) }));
  return (authorization) => {
    if (typeof authorization !== 'string') return undefined;
    const given = digest(authorization);
    let found: CodecUser | undefined;
    // Every secret is compared, whichever matches, so the time taken does not say which user it was.
    for (const e of expected) if (timingSafeEqual(given, e.digest) && found === undefined) found = e.user;
    return found;
  };
}

export interface FailureBudget {
  /** 0 when `key` may try, else the whole seconds until its next failure is allowed. */
  blockedFor(key: string): number;
  /** Spends one failure of `key`. */
  fail(key: string): void;
}

export interface FailureBudgetOptions {
  burst?: number;
  refillSeconds?: number;
  maxKeys?: number;
  nowMs?: () => number;
}

export const DEFAULT_FAILURE_BURST = 5;
export const DEFAULT_FAILURE_REFILL_SECONDS = 10;

export function failureBudget(options: FailureBudgetOptions = {}): FailureBudget {
  const burst = options.burst ?? DEFAULT_FAILURE_BURST;
  const refillMs = (options.refillSeconds ?? DEFAULT_FAILURE_REFILL_SECONDS) * 1000;
  const maxKeys = options.maxKeys ?? 10_000;
  const now = options.nowMs ?? Date.now;
  if (!(burst >= 1 && refillMs > 0 && maxKeys >= 1))
    throw new Error('a failure budget needs burst ≥ 1, refill > 0');
  const buckets = new Map<string, { left: number; at: number }>();
  const current = (key: string): { left: number; at: number } => {
    const t = now();
    const bucket = buckets.get(key) ?? { left: burst, at: t };
    bucket.left = Math.min(burst, bucket.left + (t - bucket.at) / refillMs);
    bucket.at = t;
    return bucket;
  };
  return {
    blockedFor(key) {
      if (!buckets.has(key)) return 0;
      const { left } = current(key);
      return left >= 1 ? 0 : Math.max(1, Math.ceil(((1 - left) * refillMs) / 1000));
    },
    fail(key) {
      const bucket = current(key);
      bucket.left = Math.max(0, bucket.left - 1);
      // Re-inserted last: the map's order is least recently failed first.
      buckets.delete(key);
      buckets.set(key, bucket);
      if (buckets.size > maxKeys) {
        const oldest = buckets.keys().next();
        if (!oldest.done) buckets.delete(oldest.value);
      }
    },
  };
}
