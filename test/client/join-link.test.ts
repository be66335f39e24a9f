/**
 * Signed join links (client/library/join-link.ts): minted for one attendee of one webinar, verified with the
 * keys that rotate like the payload keys, refused for a reason that says nothing about the attendee.
 */
import { generateEncryptionKey, parseEncryptionKeys } from '../../client/temporal/codec';
import {
  JoinLinkRefused,
  MAX_JOIN_TOKEN_CHARS,
  joinLinkKeysFromEnv,
  mintJoinLink,
  mintJoinToken,
  verifyJoinToken,
  type JoinLinkRefusal,
} from '../../client/library/join-link';
import { WebinarInputError } from '../../client/library/errors';

const NEW = generateEncryptionKey('j2');
const OLD = generateEncryptionKey('j1');
const keys = parseEncryptionKeys(`${NEW},${OLD}`);
const now = new Date('2027-01-12T09:00:00Z');
const inAWeek = new Date(now.getTime() + 7 * 86_400_000);
const claims = {
  webinarId: 'town-hall-2027',
  externalUserId: 'Zoë Müller (zoe@example.com)',
  expiresAt: inAWeek,
};

function refusal(token: string, with_ = keys, at = now): JoinLinkRefusal | 'accepted' {
  try {
    verifyJoinToken(token, with_, at);
    return 'accepted';
  } catch (err) {
    if (err instanceof JoinLinkRefused) return err.reason;
    throw err;
  }
}

it('round-trips a link: the token rides in the fragment, the claims come back as minted', () => {
  const link = mintJoinLink('https://join.example.com/webinar?lang=de', claims, keys, now);
  const url = new URL(link);
  expect(url.pathname).toBe('/webinar');
  expect(url.search).toBe('?lang=de');
  const token = url.hash.slice(1);
  expect(token.startsWith('j1.j2.')).toBe(true);
  expect(verifyJoinToken(token, keys, now)).toEqual({
    webinarId: claims.webinarId,
    externalUserId: claims.externalUserId,
    expiresAt: new Date(Math.floor(inAWeek.getTime() / 1000) * 1000),
  });
});

it('rotates: a link the old key signed verifies while that key is listed, and not after it is dropped', () => {
  const byOld = mintJoinToken(claims, parseEncryptionKeys(OLD), now);
  expect(refusal(byOld)).toBe('accepted');
  expect(refusal(byOld, parseEncryptionKeys(NEW))).toBe('unknown-key');
});

it('refuses a changed, cut, expired or foreign token, naming only why', () => {
  const token = mintJoinToken(claims, keys, now);
  const [version, keyId, body, signature] = token.split('.') as [string, string, string, string];
  const otherBody = Buffer.from(JSON.stringify(['town-hall-2027', 'someone-else', 1_900_000_000])).toString(
    'base64url',
  );
  expect(refusal(`${version}.${keyId}.${otherBody}.${signature}`)).toBe('bad-signature');
  expect(refusal(`${version}.${keyId}.${body}.${signature.slice(0, -4)}`)).toBe('bad-signature');
  expect(refusal(token, keys, new Date(inAWeek.getTime() + 1_000))).toBe('expired');
  // The same key ID with other key material: a link from another deployment.
  expect(refusal(token, parseEncryptionKeys(generateEncryptionKey('j2')))).toBe('bad-signature');
  for (const bad of [
    '',
    'hello',
    `j0.${keyId}.${body}.${signature}`,
    `${token}.x`,
    'x'.repeat(MAX_JOIN_TOKEN_CHARS + 1),
  ]) {
    expect(refusal(bad)).toBe('malformed');
  }
  const expired = (() => {
    try {
      verifyJoinToken(token, keys, new Date(inAWeek.getTime() + 1_000));
    } catch (err) {
      return err as Error;
    }
    return undefined;
  })();
  expect(expired?.message).toMatch(/expired/);
  expect(expired?.message).not.toMatch(/town-hall|Zo|example/);
});

it('refuses to mint for a bad webinar, attendee or expiry, naming each field', () => {
  const fields = (over: Partial<typeof claims>): string[] => {
    try {
      mintJoinToken({ ...claims, ...over }, keys, now);
      return [];
    } catch (err) {
      if (!(err instanceof WebinarInputError)) throw err;
      return err.errors.map((e) => e.field);
    }
  };
  expect(fields({ webinarId: 'town hall!' })).toEqual(['webinarId']);
  expect(fields({ externalUserId: 'x' })).toEqual(['externalUserId']);
  expect(fields({ expiresAt: new Date(now.getTime() - 1_000) })).toEqual(['expiresAt']);
  expect(fields({ expiresAt: new Date(now.getTime() + 91 * 86_400_000) })).toEqual(['expiresAt']);
  expect(fields({ expiresAt: new Date(Number.NaN) })).toEqual(['expiresAt']);
  expect(() => mintJoinToken(claims, [], now)).toThrow(/JOIN_LINK_KEYS/);
});

it('reads JOIN_LINK_KEYS in the payload keys format, naming the variable on a bad value', () => {
  expect(joinLinkKeysFromEnv({})).toBeUndefined();
  expect(joinLinkKeysFromEnv({ JOIN_LINK_KEYS: `${NEW},${OLD}` })?.map((k) => k.id)).toEqual(['j2', 'j1']);
  expect(() => joinLinkKeysFromEnv({ JOIN_LINK_KEYS: 'j1:AAAA' })).toThrow(/^JOIN_LINK_KEYS: .*32 bytes/);
});
