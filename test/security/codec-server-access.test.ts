/**
 * Who may use the codec server (client/codec-server/): per-user tokens with roles, the namespace allow-list, the
 * failed-attempt budget, `/encode` binding what it encrypts, refusals logged without secrets; and the codecs'
 * PAYLOAD_ENCRYPTION_REQUIRE_BINDING, which refuses unbound payloads in a workflow. Real HTTP, real codecs.
 */
import * as crypto from 'node:crypto';
import type { Payload, SerializationContext } from '@temporalio/common';
import {
  codecUserMatcher,
  failureBudget,
  parseCodecUsers,
  type CodecUser,
} from '../../client/codec-server/access';
import { readCodecServerConfig } from '../../client/codec-server/main';
import {
  startCodecServer,
  type CodecServerLogEntry,
  type RunningCodecServer,
} from '../../client/codec-server/server';
import {
  type AesGcmPayloadCodec,
  BINDING_METADATA,
  CodecConfigError,
  codecFromEnv,
  generateEncryptionKey,
} from '../../client/temporal/codec';
import { ConfigError } from '../../client/temporal/connection';
import { payloadCodecChain } from '../../client/temporal/data-converter';
import { loadWorkerConfig } from '../../worker/config';

// The real timingSafeEqual, counted: the comparison must go through it (node:crypto's own cannot be spied on).
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof crypto>('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});

const KEYS = generateEncryptionKey('k1');
const secret = (c: string): string => c.repeat(40);
const USERS: CodecUser[] = [
  { name: 'alice', role: 'encode+decode', secret: secret('a') },
  { name: 'bob', role: 'decode', secret: secret('b') },
  { name: 'carol', role: 'decode', secret: secret('c'), namespaces: ['staging'] },
];
const payload = (text: string): Payload => ({
  metadata: { encoding: Buffer.from('json/plain') },
  data: Buffer.from(text),
});
const asJson = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const fromJson = (p: { metadata: Record<string, string>; data: string }): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data, 'base64'),
});
const text = (p: Payload | undefined): string => Buffer.from(p?.data ?? []).toString('utf8');
const inWorkflow = (workflowId: string): SerializationContext => ({
  type: 'workflow',
  namespace: 'default',
  workflowId,
});

function codec(env: NodeJS.ProcessEnv = {}): AesGcmPayloadCodec {
  const c = codecFromEnv({ PAYLOAD_ENCRYPTION_KEYS: KEYS, ...env });
  if (!c) throw new Error('no codec');
  return c;
}

describe('codec server access', () => {
  let server: RunningCodecServer;
  let clock = 1_000_000;
  const logged: CodecServerLogEntry[] = [];

  const start = (options: { allowUnboundEncode?: boolean } = {}) =>
    startCodecServer({
      port: 0,
      users: USERS,
      namespaces: ['default', 'staging'],
      codec: codec(),
      failures: { nowMs: () => clock },
      log: (entry) => logged.push(entry),
      ...options,
    });

  beforeEach(async () => {
    logged.length = 0;
    server = await start();
  });
  afterEach(async () => {
    await server?.close();
  });

  const post = (path: string, user: string | undefined, headers: Record<string, string>, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(user ? { Authorization: `Bearer ${user}` } : {}),
        ...headers,
      },
      body: JSON.stringify(body),
    });
  const NS = { 'X-Namespace': 'default' };

  it('a decode-only token decodes but cannot /encode (403 with the reason), an encode+decode token can', async () => {
    const [enc] = await codec().encode([payload('"dave"')], inWorkflow('webinar-a'));
    const body = { payloads: [asJson(enc as Payload)] };
    const decoded = await post('/decode', secret('b'), NS, body);
    expect(decoded.status).toBe(200);
    const out = (await decoded.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(text(fromJson(out.payloads[0] ?? { metadata: {}, data: '' }))).toBe('"dave"');

    const refused = await post('/encode', secret('b'), { ...NS, 'X-Workflow-Id': 'webinar-a' }, body);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: 'this token may only decode (role decode): /encode needs encode+decode',
    });
    const allowed = await post(
      '/encode',
      secret('a'),
      { ...NS, 'X-Workflow-Id': 'webinar-a' },
      { payloads: [asJson(payload('"x"'))] },
    );
    expect(allowed.status).toBe(200);
  });

  it('refuses a missing X-Namespace, a namespace not listed, one outside the user’s own, without echoing it', async () => {
    const body = { payloads: [asJson(payload('"x"'))] };
    const missing = await post('/decode', secret('a'), {}, body);
    expect(missing.status).toBe(403);
    expect(((await missing.json()) as { error: string }).error).toBe('the X-Namespace header is required');
    const odd = `production-${'z'.repeat(200)}`;
    const unlisted = await post('/decode', secret('a'), { 'X-Namespace': odd }, body);
    expect(unlisted.status).toBe(403);
    const said = await unlisted.text();
    expect(said).toMatch(/X-Namespace is not allowed/);
    expect(said).not.toContain('production');
    // carol may read staging only, though the server serves default too.
    expect((await post('/decode', secret('c'), NS, body)).status).toBe(403);
    expect((await post('/decode', secret('c'), { 'X-Namespace': 'staging' }, body)).status).toBe(200);
    expect(JSON.stringify(logged)).not.toContain('production');
  });

  it('spends a budget of 5 failures per address: then 429 with Retry-After, even for a right token; back after 10 s', async () => {
    const body = { payloads: [asJson(payload('"x"'))] };
    for (let i = 0; i < 5; i++) expect((await post('/decode', secret('x'), NS, body)).status).toBe(401);
    const blocked = await post('/decode', secret('a'), NS, body);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe('10');
    clock += 5_000;
    expect((await post('/decode', secret('a'), NS, body)).headers.get('retry-after')).toBe('5');
    clock += 5_000;
    expect((await post('/decode', secret('a'), NS, body)).status).toBe(200);
    // One failure came back, not five: the next wrong token empties the bucket again.
    expect((await post('/decode', secret('x'), NS, body)).status).toBe(401);
    expect((await post('/decode', secret('a'), NS, body)).status).toBe(429);
  });

  it('logs each refusal with its reason and the user’s name, never a secret or payload data', async () => {
    await post('/decode', secret('x'), NS, { payloads: [] });
    await post('/encode', secret('b'), NS, { payloads: [asJson(payload('"erin-secret-id"'))] });
    expect(logged).toEqual([
      expect.objectContaining({ status: 401, reason: 'missing or wrong bearer token', path: '/decode' }),
      expect.objectContaining({
        status: 403,
        reason: 'this token may only decode (role decode): /encode needs encode+decode',
        user: 'bob',
        path: '/encode',
      }),
    ]);
    expect(logged[0]?.user).toBeUndefined();
    const all = JSON.stringify(logged);
    for (const s of ['x', 'a', 'b'].map(secret)) expect(all).not.toContain(s.slice(0, 32));
    expect(all).not.toMatch(/erin|ZXJpbi/);
  });

  it('compares the presented token with every user’s secret by 32-byte digests (timingSafeEqual)', () => {
    const spy = jest.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    {
      const match = codecUserMatcher(USERS);
      expect(match(`Bearer ${secret('b')}`)?.name).toBe('bob');
      expect(match(`Bearer ${secret('b')}x`)).toBeUndefined();
      expect(match(undefined)).toBeUndefined();
      // Two headers compared, three users each: the match does not stop early.
      expect(spy).toHaveBeenCalledTimes(6);
      for (const [a, b] of spy.mock.calls) {
        expect((a as Buffer).length).toBe(32);
        expect((b as Buffer).length).toBe(32);
      }
    }
  });

  it('/encode binds to X-Workflow-Id: its own workflow reads it, another refuses it', async () => {
    const res = await post(
      '/encode',
      secret('a'),
      { ...NS, 'X-Workflow-Id': 'webinar-a' },
      { payloads: [asJson(payload('"signal input"'))] },
    );
    expect(res.status).toBe(200);
    const [made] = ((await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] })
      .payloads;
    const encoded = fromJson(made ?? { metadata: {}, data: '' });
    expect(Buffer.from(encoded.metadata?.[BINDING_METADATA] ?? []).toString()).toBe(
      '["default","webinar-a"]',
    );
    const worker = codec({ PAYLOAD_ENCRYPTION_REQUIRE_BINDING: 'true' });
    expect(text((await worker.decode([encoded], inWorkflow('webinar-a')))[0])).toBe('"signal input"');
    await expect(worker.decode([encoded], inWorkflow('webinar-b'))).rejects.toThrow(/another workflow/);
  });

  it('/encode without X-Workflow-Id is refused (the UI and CLI send none) unless unbound encoding is allowed', async () => {
    const body = { payloads: [asJson(payload('"x"'))] };
    const refused = await post('/encode', secret('a'), NS, body);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toMatch(/needs X-Workflow-Id/);
    const bad = await post('/encode', secret('a'), { ...NS, 'X-Workflow-Id': 'w'.repeat(1001) }, body);
    expect(bad.status).toBe(400);

    // The review's case: a payload /encode made unbound was accepted as workflow B's. With the workers'
    // PAYLOAD_ENCRYPTION_REQUIRE_BINDING it is refused; without it (the default) it is still read.
    await server.close();
    server = await start({ allowUnboundEncode: true });
    const res = await post('/encode', secret('a'), NS, body);
    expect(res.status).toBe(200);
    const [made] = ((await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] })
      .payloads;
    const unbound = fromJson(made ?? { metadata: {}, data: '' });
    expect(unbound.metadata?.[BINDING_METADATA]).toBeUndefined();
    await expect(
      codec({ PAYLOAD_ENCRYPTION_REQUIRE_BINDING: 'true' }).decode([unbound], inWorkflow('webinar-b')),
    ).rejects.toThrow(/Refused a payload bound to no workflow: PAYLOAD_ENCRYPTION_REQUIRE_BINDING is on/);
    expect(text((await codec().decode([unbound], inWorkflow('webinar-b')))[0])).toBe('"x"');
  });
});

describe('the failure budget', () => {
  it('is kept per key (address, user), refills one per 10 s, and forgets the least recent beyond its bound', () => {
    let now = 0;
    const budget = failureBudget({ nowMs: () => now, maxKeys: 3 });
    for (let i = 0; i < 5; i++) budget.fail('user bob');
    expect(budget.blockedFor('user bob')).toBe(10);
    expect(budget.blockedFor('user alice')).toBe(0);
    now += 10_000;
    expect(budget.blockedFor('user bob')).toBe(0);
    budget.fail('user bob');
    expect(budget.blockedFor('user bob')).toBe(10);
    for (const k of ['a', 'b', 'c']) budget.fail(k);
    // Bounded: bob, the least recently failed, is forgotten (and starts full again).
    expect(budget.blockedFor('user bob')).toBe(0);
  });
});

describe('PAYLOAD_ENCRYPTION_REQUIRE_BINDING in the workers and the client library', () => {
  const workerCodec = (env: NodeJS.ProcessEnv) =>
    payloadCodecChain(
      loadWorkerConfig({ PAYLOAD_ENCRYPTION_KEYS: KEYS, ...env }).temporal.dataConverter?.payloadCodecs ?? [],
    );

  it('the worker’s own data converter refuses an unbound payload with the option, reads it without', async () => {
    const [unbound] = await codec().encode([payload('"old history"')]);
    const [bound] = await codec().encode([payload('"bound"')], inWorkflow('webinar-a'));
    const strictBinding = workerCodec({ PAYLOAD_ENCRYPTION_REQUIRE_BINDING: 'true' });
    await expect(strictBinding.decode([unbound as Payload], inWorkflow('webinar-a'))).rejects.toThrow(
      /bound to no workflow/,
    );
    expect(text((await strictBinding.decode([bound as Payload], inWorkflow('webinar-a')))[0])).toBe(
      '"bound"',
    );
    // No workflow context (a codec server's decode): nothing to bind against, so it reads.
    expect(text((await strictBinding.decode([unbound as Payload]))[0])).toBe('"old history"');
    const lenient = workerCodec({});
    expect(text((await lenient.decode([unbound as Payload], inWorkflow('webinar-a')))[0])).toBe(
      '"old history"',
    );
  });

  it('is a flag named in errors, and needs the keys', () => {
    expect(codec({ PAYLOAD_ENCRYPTION_REQUIRE_BINDING: 'yes' }).requireBinding).toBe(true);
    expect(codec().requireBinding).toBe(false);
    expect(() => codec({ PAYLOAD_ENCRYPTION_REQUIRE_BINDING: 'always' })).toThrow(
      new CodecConfigError('PAYLOAD_ENCRYPTION_REQUIRE_BINDING', '"always" is not true or false'),
    );
    expect(() => codecFromEnv({ PAYLOAD_ENCRYPTION_REQUIRE_BINDING: 'true' })).toThrow(
      /PAYLOAD_ENCRYPTION_REQUIRE_BINDING: is on but PAYLOAD_ENCRYPTION_KEYS is not set/,
    );
    expect(() =>
      loadWorkerConfig({ PAYLOAD_ENCRYPTION_KEYS: KEYS, PAYLOAD_ENCRYPTION_REQUIRE_BINDING: 'x' }),
    ).toThrow(/PAYLOAD_ENCRYPTION_REQUIRE_BINDING: "x" is not true or false/);
  });
});

describe('the codec server’s configuration', () => {
  const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
    try {
      readCodecServerConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as ConfigError).problems.map((p) => `${p.variable}: ${p.message}`);
    }
    throw new Error('no ConfigError');
  };

  it('reads users, namespaces and the unbound-encoding option', () => {
    const config = readCodecServerConfig({
      CODEC_SERVER_TOKENS: `ops:encode+decode:${secret('a')}, ui:decode:${secret('b')}:staging|default`,
      CODEC_SERVER_NAMESPACES: 'default,staging',
      CODEC_SERVER_ALLOW_UNBOUND_ENCODE: 'true',
      PAYLOAD_ENCRYPTION_KEYS: KEYS,
    });
    expect(config.users).toEqual([
      { name: 'ops', role: 'encode+decode', secret: secret('a') },
      { name: 'ui', role: 'decode', secret: secret('b'), namespaces: ['staging', 'default'] },
    ]);
    expect(config.namespaces).toEqual(['default', 'staging']);
    expect(config.allowUnboundEncode).toBe(true);
    expect(config.port).toBe(8888);
    expect(readCodecServerConfig({ CODEC_SERVER_TOKENS: `ops:decode:${secret('a')}` }).namespaces).toEqual([
      'default',
    ]);
  });

  it('names every bad variable at once, never a secret; the old single token is refused with its replacement', () => {
    const problems = problemsOf({
      CODEC_SERVER_TOKEN: secret('t'),
      CODEC_SERVER_TOKENS: `ops:admin:${secret('s')}`,
      CODEC_SERVER_NAMESPACES: 'bad namespace',
      CODEC_SERVER_ALLOW_UNBOUND_ENCODE: 'maybe',
      CODEC_SERVER_PORT: '99999',
      PAYLOAD_ENCRYPTION_KEYS: 'k1:AAAA',
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'CODEC_SERVER_TOKEN',
      'CODEC_SERVER_TOKENS',
      'CODEC_SERVER_NAMESPACES',
      'CODEC_SERVER_ALLOW_UNBOUND_ENCODE',
      'CODEC_SERVER_PORT',
      'PAYLOAD_ENCRYPTION_KEYS',
    ]);
    expect(problems[0]).toMatch(/is replaced by CODEC_SERVER_TOKENS/);
    expect(problems[1]).toMatch(/the role of "ops" must be decode or encode\+decode/);
    const all = problems.join('\n');
    expect(all).not.toContain(secret('t').slice(0, 32));
    expect(all).not.toContain(secret('s').slice(0, 32));
    expect(problemsOf({})).toEqual(['CODEC_SERVER_TOKENS: must be set (name:role:secret,...)']);
  });

  it.each([
    ['a short secret', `ops:decode:${'x'.repeat(31)}`, /secret of "ops" must be at least 32 characters/],
    ['whitespace in the secret', `ops:decode:${'x'.repeat(20)} ${'y'.repeat(20)}`, /no whitespace/],
    ['no role', `ops:${secret('x')}`, /role of "ops"/],
    ['a bad name', `o p:decode:${secret('x')}`, /entry 1 must be name:role:secret/],
    ['a name twice', `ops:decode:${secret('x')},ops:decode:${secret('y')}`, /names a user twice/],
    ['a secret twice', `a:decode:${secret('x')},b:decode:${secret('x')}`, /same secret/],
    ['a bad namespace', `ops:decode:${secret('x')}:bad ns`, /namespaces of "ops"/],
  ])('refuses CODEC_SERVER_TOKENS with %s', (_label, value, message) => {
    expect(() => parseCodecUsers(value)).toThrow(message);
  });

  it('refuses a user namespace the server does not serve', () => {
    expect(
      problemsOf({
        CODEC_SERVER_TOKENS: `ops:decode:${secret('x')}:staging`,
        CODEC_SERVER_NAMESPACES: 'default',
      }),
    ).toEqual(['CODEC_SERVER_TOKENS: "ops" names a namespace CODEC_SERVER_NAMESPACES does not list']);
  });
});
