/**
 * The backends' bearer tokens (JOIN_SERVICE_TOKENS: `name:secret,...`). The name is what rate limits and
 * metrics go by; the secret is never logged. A presented token is compared with every secret by digest in
 * constant time, so neither its length nor how much of it matched shows in the time taken.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { tokenProblem } from '../codec-server/server';

export const JOIN_SERVICE_TOKENS_ENV = 'JOIN_SERVICE_TOKENS';
export const MIN_SERVICE_SECRET_CHARS = 32;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface ServiceToken {
  name: string;
  secret: string;
}

/** The tokens; throws naming the entry (by position and name, never by secret) that is wrong. */
export function parseServiceTokens(value: string): ServiceToken[] {
  const tokens = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const colon = entry.indexOf(':');
      const name = colon < 0 ? '' : entry.slice(0, colon);
      const secret = colon < 0 ? '' : entry.slice(colon + 1);
      if (!NAME.test(name))
        throw new Error(`entry ${i + 1} must be name:secret, the name 1-64 letters, digits, . _ -`);
      const problem = tokenProblem(secret, MIN_SERVICE_SECRET_CHARS);
      if (problem) throw new Error(`the secret of "${name}" ${problem}`);
      return { name, secret };
    });
  if (tokens.length === 0) throw new Error('lists no token');
  const names = new Set(tokens.map((t) => t.name));
  if (names.size !== tokens.length) throw new Error('names a token twice');
  return tokens;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The name of the token an Authorization header carries, or undefined. */
export function serviceTokenMatcher(
  tokens: readonly ServiceToken[],
): (authorization: string) => string | undefined {
  const expected = tokens.map((t) => ({ name: t.name, digest: digest(`Bearer ${t.secret}`) }));
  return (authorization) => {
    const given = digest(authorization);
    let found: string | undefined;
    // Every secret is compared, whichever matches.
    for (const e of expected) if (timingSafeEqual(given, e.digest) && found === undefined) found = e.name;
    return found;
  };
}
