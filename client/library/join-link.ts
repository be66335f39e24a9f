/**
 * Signed join links: what the scheduling system sends each attendee, and what the join service checks before it
 * answers with the attendee's credentials.
 *
 * A link is `<base URL>#<token>`; the token rides in the fragment, which browsers send to no server and put in
 * no Referer, so it stays out of access logs; the page posts it to the join service. The token is
 * `j1.<key ID>.<claims>.<signature>`: the claims are base64url JSON `[webinarId, externalUserId, expires]`
 * (expires in epoch seconds), the signature an HMAC-SHA256 over `j1.<key ID>.<claims>` with the key named.
 * Signed, not encrypted: whoever holds the link can read whom it admits, and that is the attendee it was sent to.
 *
 * Keys come from JOIN_LINK_KEYS in the format of PAYLOAD_ENCRYPTION_KEYS (`id:<base64 32 bytes>,...`, the
 * first signs, every listed key verifies), so they rotate the same way: prepend a new key, drop the old one once
 * the links it signed have expired. They are their own keys: a join link key opens no payload.
 *
 * Verification names why a token is refused (malformed, unknown key, bad signature, expired) and nothing about
 * the attendee: a refusal reads the same whether or not the webinar or the attendee exists.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { checkExternalUserId, checkWebinarId } from '../../domain/validation/identifiers';
import { Errors } from '../../domain/validation/fields';
import { parseEncryptionKeys, type EncryptionKey } from '../temporal/codec';
import { WebinarInputError } from './errors';

export const JOIN_LINK_KEYS_ENV = 'JOIN_LINK_KEYS';
const VERSION = 'j1';
/** Longest token a verifier reads: the longest IDs, the longest key ID and the signature fit in about 400. */
export const MAX_JOIN_TOKEN_CHARS = 1024;
/** The longest a link may live: a webinar series is scheduled weeks ahead, not years. */
export const MAX_JOIN_LINK_LIFETIME_SECONDS = 90 * 24 * 3600;

export interface JoinLinkClaims {
  webinarId: string;
  externalUserId: string;
  /** When the link stops working. */
  expiresAt: Date;
}

export type JoinLinkRefusal = 'malformed' | 'unknown-key' | 'bad-signature' | 'expired';

export class JoinLinkRefused extends Error {
  override name = 'JoinLinkRefused';
  constructor(readonly reason: JoinLinkRefusal) {
    super(`join link refused: ${REFUSAL_SENTENCES[reason]}`);
  }
}

const REFUSAL_SENTENCES: Record<JoinLinkRefusal, string> = {
  malformed: 'it is not a join link (ask the organiser for a new one)',
  'unknown-key': 'it was signed with a key this service no longer holds (ask the organiser for a new one)',
  'bad-signature': 'its signature does not match (the link was changed or cut short)',
  expired: 'it has expired (ask the organiser for a new one)',
};

/** The keys from JOIN_LINK_KEYS; undefined when it is unset. A bad value throws, naming the variable. */
export function joinLinkKeysFromEnv(env: NodeJS.ProcessEnv = process.env): EncryptionKey[] | undefined {
  const value = env[JOIN_LINK_KEYS_ENV];
  if (value === undefined || value.trim() === '') return undefined;
  return parseEncryptionKeys(value, JOIN_LINK_KEYS_ENV);
}

function sign(key: EncryptionKey, signed: string): Buffer {
  return createHmac('sha256', key.key).update(signed, 'utf8').digest();
}

/** A token for one attendee of one webinar; throws WebinarInputError naming the field that is wrong. */
export function mintJoinToken(
  claims: JoinLinkClaims,
  keys: readonly EncryptionKey[],
  now: Date = new Date(),
): string {
  const signing = keys[0];
  if (!signing) throw new Error(`${JOIN_LINK_KEYS_ENV}: no key to sign join links with`);
  const errors = new Errors();
  checkWebinarId(claims.webinarId, 'webinarId', errors);
  checkExternalUserId(claims.externalUserId, 'externalUserId', errors);
  const expires = Math.floor(claims.expiresAt.getTime() / 1000);
  const lifetime = expires - Math.floor(now.getTime() / 1000);
  if (!Number.isFinite(expires)) errors.add('expiresAt', 'must be a valid date');
  else if (lifetime <= 0)
    errors.add('expiresAt', `must be in the future, got ${claims.expiresAt.toISOString()}`);
  else if (lifetime > MAX_JOIN_LINK_LIFETIME_SECONDS)
    errors.add('expiresAt', `must be at most ${MAX_JOIN_LINK_LIFETIME_SECONDS / 86_400} days ahead`);
  if (errors.count > 0) throw new WebinarInputError(errors.list, 'join link');
  const body = Buffer.from(
    JSON.stringify([claims.webinarId, claims.externalUserId, expires]),
    'utf8',
  ).toString('base64url');
  const signed = `${VERSION}.${signing.id}.${body}`;
  return `${signed}.${sign(signing, signed).toString('base64url')}`;
}

/** The link: the page's URL with the token in its fragment. */
export function mintJoinLink(
  baseUrl: string,
  claims: JoinLinkClaims,
  keys: readonly EncryptionKey[],
  now?: Date,
): string {
  const url = new URL(baseUrl);
  url.hash = mintJoinToken(claims, keys, now);
  return url.toString();
}

/** The claims of a token this service signed and that has not expired; otherwise JoinLinkRefused. */
export function verifyJoinToken(
  token: string,
  keys: readonly EncryptionKey[],
  now: Date = new Date(),
): JoinLinkClaims {
  if (typeof token !== 'string' || token.length > MAX_JOIN_TOKEN_CHARS)
    throw new JoinLinkRefused('malformed');
  const parts = token.split('.');
  const [version, keyId, body, signature] = parts;
  if (parts.length !== 4 || version !== VERSION || !keyId || !body || !signature) {
    throw new JoinLinkRefused('malformed');
  }
  const key = keys.find((k) => k.id === keyId);
  if (!key) throw new JoinLinkRefused('unknown-key');
  const expected = sign(key, `${version}.${keyId}.${body}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new JoinLinkRefused('bad-signature');
  }
  const claims = parseClaims(body);
  if (!claims) throw new JoinLinkRefused('malformed');
  if (claims.expiresAt.getTime() <= now.getTime()) throw new JoinLinkRefused('expired');
  return claims;
}

function parseClaims(body: string): JoinLinkClaims | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return undefined;
  const [webinarId, externalUserId, expires] = parsed as unknown[];
  const errors = new Errors();
  if (!checkWebinarId(webinarId, 'webinarId', errors)) return undefined;
  if (!checkExternalUserId(externalUserId, 'externalUserId', errors)) return undefined;
  if (typeof expires !== 'number' || !Number.isSafeInteger(expires)) return undefined;
  return { webinarId, externalUserId, expiresAt: new Date(expires * 1000) };
}
