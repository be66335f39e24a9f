/**
 * The join API (client/join-api/) over HTTP, with a real credential store (PGlite in memory) and a phase reader
 * that is a plain function of a table: every answer POST /v1/join gives, its limits, the page routes, and that
 * no log line or metric names a token, a JoinToken or an externalUserId.
 */
import { request } from 'node:http';
import type { Attendee } from '@aws-sdk/client-chime-sdk-meetings';
import { openCredentialStore, type SqlCredentialStore } from '../../activities/credentials';
import { mintJoinToken } from '../../client/library/join-link';
import type { PublishedPhase } from '../../client/join-api/published-phase';
import {
  JOIN_PAGE_CSP,
  startJoinApi,
  type JoinApiOptions,
  type RunningJoinApi,
} from '../../client/join-api/server';
import { generateEncryptionKey, parseEncryptionKeys } from '../../client/temporal/codec';
import { attendee, meeting } from '../support/credential-store-cases';

const keys = parseEncryptionKeys(generateEncryptionKey('j1'));
const otherDeployment = parseEncryptionKeys(generateEncryptionKey('j9'));
const sameIdOtherKey = parseEncryptionKeys(generateEncryptionKey('j1'));
const SECRET = 'crm-secret-0123456789-abcdefghijklmnop';
const T0 = new Date('2027-01-12T09:00:00Z').getTime();
let nowMs = T0;
const now = (): Date => new Date(nowMs);

const WEBINAR = 'town-hall-2027';
const HOST = 'host@example.com';
const VIEWER = 'viewer-1@example.com';
const PROMOTED = 'promoted@example.com';
const NOBODY = 'nobody@example.com';
const PRIMARY = 'aaaaaaaa-0000-4000-8000-000000000001';
const REPLICA = 'aaaaaaaa-0000-4000-8000-000000000002';
const ENDED_MEETING = 'aaaaaaaa-0000-4000-8000-000000000003';
const startAt = new Date(T0 + 3600_000).toISOString();

const phases = new Map<string, PublishedPhase>([
  [WEBINAR, { kind: 'published', phase: 'LIVE', startAt }],
  ['ended-webinar', { kind: 'published', phase: 'ENDED', startAt }],
  ['later-webinar', { kind: 'published', phase: 'SCHEDULED', startAt }],
  [
    'later-with-lead',
    {
      kind: 'published',
      phase: 'SCHEDULED',
      startAt,
      provisionAt: new Date(T0 + 3600_000 - 120_000).toISOString(),
    },
  ],
  ['provisioning-webinar', { kind: 'published', phase: 'PROVISIONING', startAt }],
  ['fresh-webinar', { kind: 'no-memo' }],
]);
const phaseOf = async (webinarId: string): Promise<PublishedPhase> =>
  phases.get(webinarId) ?? { kind: 'not-found' };

const receive = (a: Attendee): Attendee => ({
  ...a,
  Capabilities: { Audio: 'Receive', Video: 'Receive', Content: 'Receive' },
});

let store: SqlCredentialStore;
const tokens: string[] = [];
const logs: string[] = [];
let api: RunningJoinApi;
let joinTokenOf: Record<string, string> = {};

async function start(options: Partial<JoinApiOptions> = {}): Promise<RunningJoinApi> {
  return startJoinApi({
    port: 0,
    store,
    linkKeys: keys,
    serviceTokens: [{ name: 'crm', secret: SECRET }],
    phaseOf,
    phaseCacheMs: 0,
    now,
    log: (entry) => logs.push(JSON.stringify(entry)),
    page: { html: () => '<!doctype html><title>Join</title>', script: async () => 'console.log("join");' },
    ...options,
  });
}

beforeAll(async () => {
  store = await openCredentialStore({ engine: 'pglite' }, undefined);
  await store.putMeeting(WEBINAR, meeting(PRIMARY));
  await store.putMeeting(WEBINAR, meeting(REPLICA, PRIMARY));
  await store.putMeeting('ended-webinar', meeting(ENDED_MEETING));
  const host = attendee(HOST);
  const viewer = receive(attendee(VIEWER));
  const promotedReplica = receive(attendee(PROMOTED));
  const promotedPrimary = attendee(PROMOTED);
  await store.putAttendees(WEBINAR, PRIMARY, [host, promotedPrimary]);
  await store.putAttendees(WEBINAR, REPLICA, [viewer, promotedReplica]);
  await store.putAttendees('ended-webinar', ENDED_MEETING, [attendee(HOST)]);
  joinTokenOf = {
    host: host.JoinToken ?? '',
    viewer: viewer.JoinToken ?? '',
    promotedReplica: promotedReplica.JoinToken ?? '',
    promotedPrimary: promotedPrimary.JoinToken ?? '',
  };
  api = await start();
});
afterAll(async () => {
  await api?.close();
  await store?.close();
});
beforeEach(() => {
  nowMs = T0;
});

const inADay = (): Date => new Date(nowMs + 86_400_000);
function link(
  webinarId: string,
  externalUserId: string,
  with_ = keys,
  at = now(),
  expiresAt = inADay(),
): string {
  const token = mintJoinToken({ webinarId, externalUserId, expiresAt }, with_, at);
  tokens.push(token);
  return token;
}

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

async function call(
  path: string,
  init: { method?: string; body?: string; authorization?: string; on?: RunningJoinApi } = {},
): Promise<Reply> {
  const res = await fetch(`${(init.on ?? api).url}${path}`, {
    method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'),
    headers: {
      'Content-Type': 'application/json',
      ...(init.authorization !== undefined ? { Authorization: init.authorization } : {}),
    },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = {};
  }
  return { status: res.status, headers: res.headers, body, text };
}

const joinWithLink = (token: string, on?: RunningJoinApi): Promise<Reply> =>
  call('/v1/join', { body: JSON.stringify({ token }), ...(on ? { on } : {}) });
const joinAsService = (webinarId: unknown, externalUserId: unknown, on?: RunningJoinApi): Promise<Reply> =>
  call('/v1/join', {
    body: JSON.stringify({ webinarId, externalUserId }),
    authorization: `Bearer ${SECRET}`,
    ...(on ? { on } : {}),
  });

describe('200: the credentials, in the Chime API shapes', () => {
  it('a host joins as presenter with its primary meeting and attendee', async () => {
    const r = await joinWithLink(link(WEBINAR, HOST));
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body).toMatchObject({ webinarId: WEBINAR, externalUserId: HOST, role: 'presenter' });
    expect(r.body.Meeting).toMatchObject({
      MeetingId: PRIMARY,
      MediaPlacement: { AudioHostUrl: expect.any(String) as unknown },
    });
    expect(r.body.Attendee).toMatchObject({ ExternalUserId: HOST, JoinToken: joinTokenOf.host });
    expect(r.body.Primary).toBeUndefined();
  });

  it('a replica viewer joins as viewer (backend flow)', async () => {
    const r = await joinAsService(WEBINAR, VIEWER);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      role: 'viewer',
      Meeting: { MeetingId: REPLICA, PrimaryMeetingId: PRIMARY },
    });
    expect(r.body.Attendee).toMatchObject({ JoinToken: joinTokenOf.viewer });
    expect(r.body.Primary).toBeUndefined();
  });

  it('a promoted replica viewer gets the replica pair and the primary pair in Primary', async () => {
    const r = await joinWithLink(link(WEBINAR, PROMOTED));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      role: 'presenter',
      Meeting: { MeetingId: REPLICA },
      Attendee: { JoinToken: joinTokenOf.promotedReplica, Capabilities: { Audio: 'Receive' } },
      Primary: {
        Meeting: { MeetingId: PRIMARY },
        Attendee: { JoinToken: joinTokenOf.promotedPrimary, Capabilities: { Audio: 'SendReceive' } },
      },
    });
  });
});

describe('401: a refused link reads the same whether or not the webinar or attendee exists', () => {
  const expired = (webinarId: string, user: string): string =>
    link(webinarId, user, keys, new Date(T0 - 7 * 86_400_000), new Date(T0 - 1000));
  const cases: [string, (webinarId: string, user: string) => string][] = [
    ['malformed', (w, u) => `j1.j1.${Buffer.from(JSON.stringify([w, u])).toString('base64url')}`],
    ['unknown-key', (w, u) => link(w, u, otherDeployment)],
    ['bad-signature', (w, u) => link(w, u, sameIdOtherKey)],
    ['expired', expired],
  ];
  it.each(cases)('%s', async (reason, tokenFor) => {
    const existing = await joinWithLink(tokenFor(WEBINAR, HOST));
    const missing = await joinWithLink(tokenFor('no-such-webinar', NOBODY));
    expect(existing.status).toBe(401);
    expect(existing.body).toEqual({
      error: 'refused',
      reason,
      message: expect.stringMatching(/^join link refused: /) as unknown,
    });
    expect(missing.status).toBe(existing.status);
    expect(missing.text).toBe(existing.text);
  });

  it('a wrong service token is unauthorized, asking for a bearer', async () => {
    const r = await call('/v1/join', {
      body: JSON.stringify({ webinarId: WEBINAR, externalUserId: HOST }),
      authorization: `Bearer ${SECRET.slice(0, -1)}x`,
    });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ error: 'unauthorized' });
    expect(r.headers.get('www-authenticate')).toBe('Bearer');
  });
});

describe('400: the bad field named', () => {
  it.each([
    ['webinarId', { webinarId: 'x', externalUserId: HOST }],
    ['webinarId', { externalUserId: HOST }],
    ['externalUserId', { webinarId: WEBINAR, externalUserId: 'a' }],
    ['externalUserId', { webinarId: WEBINAR }],
  ])('backend flow: %s', async (field, body) => {
    const r = await call('/v1/join', { body: JSON.stringify(body), authorization: `Bearer ${SECRET}` });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'invalid', field, message: expect.any(String) as unknown });
  });

  it('link flow: token, and a body that is not a JSON object', async () => {
    expect((await call('/v1/join', { body: '{}' })).body).toMatchObject({ error: 'invalid', field: 'token' });
    expect((await call('/v1/join', { body: 'not json' })).body).toMatchObject({
      error: 'invalid',
      field: 'body',
    });
    expect((await call('/v1/join', { body: '[1]' })).status).toBe(400);
  });
});

/** A raw request, so the body can be sent without a Content-Length, in chunks. */
function chunked(url: string, chunks: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/v1/join`,
      { method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      // The server closes the connection once it has answered: a write after that may fail.
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('413: at most 4 KiB', () => {
  it('a declared length beyond it', async () => {
    const r = await call('/v1/join', { body: JSON.stringify({ token: 'j'.repeat(5000) }) });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ error: 'too-large' });
  });

  it('a chunked body that grows beyond it', async () => {
    const r = await chunked(api.url, ['{"token":"', 'x'.repeat(3000), 'x'.repeat(3000), '"}']);
    expect(r.status).toBe(413);
  });

  it('4 KiB exactly is read', async () => {
    const token = link(WEBINAR, HOST);
    const body = JSON.stringify({ token, pad: '' });
    const padded = body.replace('"pad":""', `"pad":"${' '.repeat(4096 - body.length)}"`);
    expect(Buffer.byteLength(padded)).toBe(4096);
    expect((await call('/v1/join', { body: padded })).status).toBe(200);
  });
});

describe('429: rate limits per client', () => {
  it('per remote address for link callers, per token name for backends, with Retry-After', async () => {
    const limited = await start({
      addressLimit: { perSecond: 0.5, burst: 2 },
      serviceLimit: { perSecond: 1, burst: 1 },
    });
    try {
      const token = link(WEBINAR, HOST);
      expect((await joinWithLink(token, limited)).status).toBe(200);
      expect((await joinWithLink(token, limited)).status).toBe(200);
      const third = await joinWithLink(token, limited);
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toBe('2');
      expect(third.body).toEqual({ error: 'rate-limited', retryAfter: 2 });
      // The backend has its own bucket.
      expect((await joinAsService(WEBINAR, HOST, limited)).status).toBe(200);
      expect((await joinAsService(WEBINAR, HOST, limited)).status).toBe(429);
      nowMs += 2000;
      expect((await joinWithLink(token, limited)).status).toBe(200);
      expect((await joinAsService(WEBINAR, HOST, limited)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('503 not-yet and 410 gone, from the published phase', () => {
  it('SCHEDULED without WebinarProvisionAt: come back when provisioning can begin at the earliest', async () => {
    const r = await joinAsService('later-webinar', HOST);
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ error: 'not-yet', retryAt: new Date(T0 + 3600_000 - 240_000).toISOString() });
    expect(r.headers.get('retry-after')).toBe(String(3600 - 240));
  });

  it('SCHEDULED with its WebinarProvisionAt: come back then', async () => {
    const r = await joinAsService('later-with-lead', HOST);
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ error: 'not-yet', retryAt: new Date(T0 + 3600_000 - 120_000).toISOString() });
    expect(r.headers.get('retry-after')).toBe(String(3600 - 120));
  });

  it('PROVISIONING or no memo yet: come back in a few seconds', async () => {
    for (const webinarId of ['provisioning-webinar', 'fresh-webinar']) {
      const r = await joinWithLink(link(webinarId, HOST));
      expect(r.status).toBe(503);
      expect(r.body).toEqual({ error: 'not-yet', retryAt: new Date(T0 + 5000).toISOString() });
      expect(r.headers.get('retry-after')).toBe('5');
    }
  });

  it('LIVE without a row, ENDED even with one, and an unknown webinar: gone', async () => {
    for (const [webinarId, user] of [
      [WEBINAR, NOBODY],
      ['ended-webinar', HOST],
      ['no-such-webinar', HOST],
    ] as const) {
      const r = await joinWithLink(link(webinarId, user));
      expect([webinarId, r.status, r.body]).toEqual([webinarId, 410, { error: 'gone' }]);
    }
  });

  it('Temporal unreachable: a row still admits, no row is unavailable', async () => {
    const blind = await start({ phaseOf: () => Promise.reject(new Error('UNAVAILABLE')) });
    try {
      expect((await joinAsService(WEBINAR, HOST, blind)).status).toBe(200);
      const r = await joinAsService(WEBINAR, NOBODY, blind);
      expect([r.status, r.body, r.headers.get('retry-after')]).toEqual([503, { error: 'unavailable' }, '5']);
    } finally {
      await blind.close();
    }
  });
});

describe('bounds', () => {
  it('one describe a second per webinar, however many join at once', async () => {
    let reads = 0;
    const cached = await start({
      phaseCacheMs: 1000,
      phaseOf: async (id) => {
        reads += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return phaseOf(id);
      },
    });
    try {
      const answers = await Promise.all(
        Array.from({ length: 40 }, () => joinAsService(WEBINAR, HOST, cached)),
      );
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(reads).toBe(1);
      nowMs += 1000;
      expect((await joinAsService(WEBINAR, HOST, cached)).status).toBe(200);
      expect(reads).toBe(2);
      expect(await cached.api.metrics.registry.getSingleMetricAsString('join_api_phase_reads_total')).toMatch(
        / 2$/,
      );
    } finally {
      await cached.close();
    }
  });

  it('past the concurrency bound: 503 busy with Retry-After', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const narrow = await start({
      maxConcurrent: 1,
      phaseOf: async (id) => {
        await held;
        return phaseOf(id);
      },
    });
    try {
      const first = joinAsService(WEBINAR, HOST, narrow);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const second = await joinAsService(WEBINAR, HOST, narrow);
      expect([second.status, second.body, second.headers.get('retry-after')]).toEqual([
        503,
        { error: 'busy' },
        '1',
      ]);
      release();
      expect((await first).status).toBe(200);
    } finally {
      release();
      await narrow.close();
    }
  });
});

describe('a caller gone mid-body', () => {
  it('frees its slot at once', async () => {
    const narrow = await start({ maxConcurrent: 1 });
    try {
      const req = request(`${narrow.url}/v1/join`, { method: 'POST', headers: { 'Content-Length': '100' } });
      req.on('error', () => undefined);
      req.write('{"token":');
      await new Promise((resolve) => setTimeout(resolve, 50));
      req.destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await joinAsService(WEBINAR, HOST, narrow)).status).toBe(200);
    } finally {
      await narrow.close();
    }
  });
});

describe('other routes', () => {
  it('GET /join and /join/app.js serve the page with a strict policy', async () => {
    const html = await call('/join');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.headers.get('content-security-policy')).toBe(JOIN_PAGE_CSP);
    expect(JOIN_PAGE_CSP).toMatch(/default-src 'none'/);
    expect(JOIN_PAGE_CSP).not.toMatch(/unsafe/);
    expect(html.headers.get('cache-control')).toBe('no-store');
    expect(html.headers.get('referrer-policy')).toBe('no-referrer');
    expect(html.text).toContain('<title>Join</title>');
    const script = await call('/join/app.js');
    expect([script.status, script.headers.get('content-type'), script.text]).toEqual([
      200,
      'text/javascript; charset=utf-8',
      'console.log("join");',
    ]);
  });

  it('without a page there is no /join; /healthz; 404 and 405', async () => {
    const bare = await start({ page: undefined });
    try {
      expect((await call('/join', { on: bare })).status).toBe(404);
    } finally {
      await bare.close();
    }
    expect((await call('/healthz')).body).toEqual({ ok: true });
    expect((await call('/nope')).status).toBe(404);
    const get = await call('/v1/join');
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
  });

  it('GET /metrics counts answers by outcome and their latency', async () => {
    const text = (await call('/metrics')).text;
    for (const outcome of ['joined', 'refused', 'invalid', 'too-large', 'not-yet', 'gone', 'unauthorized']) {
      expect(text).toMatch(
        new RegExp(`join_api_answers_total\\{outcome="${outcome}",flow="(link|service)"\\} \\d+`),
      );
    }
    expect(text).toMatch(/join_api_answer_seconds_bucket\{le="0.01",outcome="joined"\} \d+/);
  });
});

it('no log line or metric names a token, a JoinToken, a service secret or an externalUserId', async () => {
  const metrics = (await call('/metrics')).text;
  expect(logs.length).toBeGreaterThan(20);
  expect(logs.some((l) => l.includes('"service":"crm"'))).toBe(true);
  const secrets = [
    ...tokens,
    ...tokens.map((t) => t.split('.')[2] ?? ''),
    ...Object.values(joinTokenOf),
    SECRET,
    HOST,
    VIEWER,
    PROMOTED,
    NOBODY,
    '@example.com',
  ];
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8);
    for (const text of [...logs, metrics]) expect(text).not.toContain(secret);
  }
});
