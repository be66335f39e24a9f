/**
 * The AES-256-GCM payload codec, its codec server, and a real webinar on the dev server with the codec on: no
 * attendee identity and no failure message in plaintext in the stored history.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { type ApplicationFailure, type Payload, type SerializationContext } from '@temporalio/common';
import {
  AesGcmPayloadCodec,
  BINDING_METADATA,
  CodecConfigError,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  PayloadDecryptionError,
  codecFromEnv,
  dataConverterFromEnv,
  generateEncryptionKey,
  parseEncryptionKeys,
} from '../../client/temporal/codec';
import { codecServerCodec, tlsFromEnv } from '../../client/codec-server/main';
import { startCodecServer, type RunningCodecServer } from '../../client/codec-server/server';
import { dataConverterFromEnvironment, payloadCodecChain } from '../../client/temporal/data-converter';
import { COMPRESSED_ENCODING } from '../../client/temporal/compression-codec';
import { attendeeQuery, operatorUpdates, statusQuery } from '../../workflows/definitions';
import { waitForStatus, webinarSpec } from '../support/webinar-stack';
import { startEncryptedStack, storedPayloads, type EncryptedStack } from './encrypted-stack';
import { fetchHistoryText } from './history-scan';

const K1 = generateEncryptionKey('k1');
const K2 = generateEncryptionKey('k2');

function payload(text: string, encoding = 'json/plain'): Payload {
  return { metadata: { encoding: Buffer.from(encoding) }, data: Buffer.from(text) };
}
const text = (p: Payload | undefined): string => Buffer.from(p?.data ?? new Uint8Array()).toString('utf8');
const meta = (p: Payload | undefined, k: string): string =>
  Buffer.from(p?.metadata?.[k] ?? new Uint8Array()).toString('utf8');

const asJson = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

/** One encode+decode user with `secret`, the namespace "default", unbound encoding allowed, refusals not logged. */
const oneUser = (secret: string) => ({
  users: [{ name: 'ops', role: 'encode+decode' as const, secret }],
  namespaces: ['default'],
  allowUnboundEncode: true,
  log: () => undefined,
});
const NS = { 'X-Namespace': 'default' };

function codec(keys: string): AesGcmPayloadCodec {
  const c = codecFromEnv({ PAYLOAD_ENCRYPTION_KEYS: keys });
  if (!c) throw new Error('no codec');
  return c;
}

describe('AesGcmPayloadCodec', () => {
  it('round-trips payloads (metadata, data, empty data), hiding the plaintext and naming the key', async () => {
    const c = codec(K1);
    const inputs = [payload('{"externalUserId":"alice@example.com"}'), payload('', 'binary/null')];
    const encoded = await c.encode(inputs);
    expect(encoded).toHaveLength(2);
    for (const e of encoded) {
      expect(meta(e, 'encoding')).toBe(ENCRYPTED_ENCODING);
      expect(meta(e, KEY_ID_METADATA)).toBe('k1');
      expect(text(e)).not.toContain('alice');
    }
    // A fresh IV per payload: the same plaintext encrypts differently.
    const again = await c.encode(inputs);
    expect(Buffer.from(again[0]?.data ?? []).equals(Buffer.from(encoded[0]?.data ?? []))).toBe(false);
    const decoded = await c.decode(encoded);
    expect(text(decoded[0])).toBe('{"externalUserId":"alice@example.com"}');
    expect(meta(decoded[0], 'encoding')).toBe('json/plain');
    expect(text(decoded[1])).toBe('');
    expect(meta(decoded[1], 'encoding')).toBe('binary/null');
  });

  it('passes unencrypted payloads through on decode (history written before the codec was on)', async () => {
    const [out] = await codec(K1).decode([payload('"plain"')]);
    expect(text(out)).toBe('"plain"');
  });

  it('strict mode (PAYLOAD_ENCRYPTION_STRICT) refuses plaintext payloads and still decrypts encrypted ones', async () => {
    const strict = codecFromEnv({ PAYLOAD_ENCRYPTION_KEYS: K1, PAYLOAD_ENCRYPTION_STRICT: 'true' });
    expect(strict?.strict).toBe(true);
    await expect(strict?.decode([payload('{"externalUserId":"mallory"}')])).rejects.toThrow(
      /Refused an unencrypted payload: PAYLOAD_ENCRYPTION_STRICT is on/,
    );
    const encoded = await codec(K1).encode([payload('"ok"')]);
    expect(text((await strict?.decode(encoded))?.[0])).toBe('"ok"');
    expect(codecFromEnv({ PAYLOAD_ENCRYPTION_KEYS: K1, PAYLOAD_ENCRYPTION_STRICT: 'false' })?.strict).toBe(
      false,
    );
    expect(codecFromEnv({ PAYLOAD_ENCRYPTION_KEYS: K1 })?.strict).toBe(false);
    expect(() => codecFromEnv({ PAYLOAD_ENCRYPTION_KEYS: K1, PAYLOAD_ENCRYPTION_STRICT: 'maybe' })).toThrow(
      CodecConfigError,
    );
    expect(() => codecFromEnv({ PAYLOAD_ENCRYPTION_STRICT: 'true' })).toThrow(
      /PAYLOAD_ENCRYPTION_STRICT: is on but PAYLOAD_ENCRYPTION_KEYS is not set/,
    );
  });

  it('binds a payload to its workflow: a ciphertext copied into another workflow is refused', async () => {
    const c = codec(K1);
    const webinarA: SerializationContext = {
      type: 'workflow',
      namespace: 'default',
      workflowId: 'webinar-a',
    };
    const webinarB: SerializationContext = {
      type: 'workflow',
      namespace: 'default',
      workflowId: 'webinar-b',
    };
    const otherNs: SerializationContext = { type: 'workflow', namespace: 'staging', workflowId: 'webinar-a' };
    const [bound] = await c.encode([payload('{"attendees":["alice"]}')], webinarA);
    if (!bound) throw new Error('no payload');
    expect(meta(bound, BINDING_METADATA)).toBe('["default","webinar-a"]');
    // Its own workflow, and an activity of that workflow, read it; so does a reader with no context (codec server).
    expect(text((await c.decode([bound], webinarA))[0])).toBe('{"attendees":["alice"]}');
    const activityOfA: SerializationContext = {
      type: 'activity',
      namespace: 'default',
      workflowId: 'webinar-a',
      activityId: '3',
      isLocal: false,
    };
    expect(text((await c.decode([bound], activityOfA))[0])).toBe('{"attendees":["alice"]}');
    expect(text((await c.decode([bound]))[0])).toBe('{"attendees":["alice"]}');
    await expect(c.decode([bound], webinarB)).rejects.toThrow(/belongs to another workflow/);
    await expect(c.decode([bound], otherNs)).rejects.toThrow(/belongs to another workflow/);
    // Relabelling the binding, or removing it, breaks the authentication tag.
    const relabelled = {
      ...bound,
      metadata: { ...bound.metadata, [BINDING_METADATA]: Buffer.from('["default","webinar-b"]') },
    };
    await expect(c.decode([relabelled], webinarB)).rejects.toThrow(/tampered/);
    const { [BINDING_METADATA]: _dropped, ...unbound } = bound.metadata ?? {};
    await expect(c.decode([{ ...bound, metadata: unbound }], webinarB)).rejects.toThrow(/tampered/);
    // Payloads written before binding (no context) still decrypt anywhere.
    const [legacy] = await c.encode([payload('"old"')]);
    expect(meta(legacy, BINDING_METADATA)).toBe('');
    expect(text((await c.decode([legacy as Payload], webinarB))[0])).toBe('"old"');
  });

  it('rotates: new payloads use the first key, payloads of the old key still decrypt', async () => {
    const before = codec(K1);
    const after = codec(`${K2},${K1}`);
    const old = await before.encode([payload('"old"')]);
    const fresh = await after.encode([payload('"new"')]);
    expect(meta(fresh[0], KEY_ID_METADATA)).toBe('k2');
    expect(after.currentKeyId).toBe('k2');
    expect(text((await after.decode(old))[0])).toBe('"old"');
    expect(text((await after.decode(fresh))[0])).toBe('"new"');
    // A process that only knows k1 says clearly which key it lacks, and never lists the keys it has.
    const err = await before.decode(fresh).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadDecryptionError);
    expect((err as Error).message).toBe(
      `Payload was encrypted with key "k2", which is not in this process's PAYLOAD_ENCRYPTION_KEYS`,
    );
    expect((err as Error).message).not.toMatch(/k1|known/);
  });

  it('detects tampering with the ciphertext, the tag, the key ID metadata and truncation', async () => {
    const c = codec(`${K2},${K1}`);
    const [good] = await c.encode([payload('"secret"')]);
    if (!good?.data) throw new Error('no data');
    const flip = (i: number): Payload => {
      const data = Buffer.from(good.data ?? []);
      data[i] = (data[i] ?? 0) ^ 1;
      return { metadata: good.metadata, data };
    };
    await expect(c.decode([flip(20)])).rejects.toThrow(PayloadDecryptionError);
    await expect(c.decode([flip(good.data.length - 1)])).rejects.toThrow(/tampered/);
    const relabelled = {
      metadata: { ...good.metadata, [KEY_ID_METADATA]: Buffer.from('k1') },
      data: good.data,
    };
    await expect(c.decode([relabelled])).rejects.toThrow(/with key "k1": it was tampered with/);
    await expect(c.decode([{ metadata: good.metadata, data: good.data.subarray(0, 20) }])).rejects.toThrow(
      /truncated/,
    );
  });

  it('refuses to decrypt with a different key under the same ID, with a clear error', async () => {
    const [enc] = await codec(K1).encode([payload('"x"')]);
    await expect(codec(generateEncryptionKey('k1')).decode([enc as Payload])).rejects.toThrow(
      /could not be decrypted with key "k1"/,
    );
  });

  it.each([
    ['no colon', 'k1', /entry 1 is not "id:base64key"/],
    ['empty ID', ':AAAA', /entry 1 is not "id:base64key"/],
    ['space in ID', 'k 1:AAAA', /invalid key ID/],
    ['not base64', 'k1:not base64!', /key "k1" is not base64/],
    [
      '16-byte key',
      `k1:${randomBytes(16).toString('base64')}`,
      /key "k1" must be 32 bytes \(AES-256\), got 16/,
    ],
    ['duplicate ID', `${K1},${K1}`, /key ID "k1" is listed twice/],
    ['only separators', ' , ', /no keys given/],
  ])('rejects PAYLOAD_ENCRYPTION_KEYS with %s, without echoing key material', (_label, value, message) => {
    let err: unknown;
    try {
      parseEncryptionKeys(value);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(message);
    const material = value.split(':')[1]?.split(',')[0];
    if (material && material.length > 8) expect((err as Error).message).not.toContain(material);
  });

  it('dataConverterFromEnv: undefined unless configured; codec plus an encoding failure converter when it is', () => {
    expect(dataConverterFromEnv({})).toBeUndefined();
    expect(dataConverterFromEnv({ PAYLOAD_ENCRYPTION_KEYS: '  ' })).toBeUndefined();
    const dc = dataConverterFromEnv({ PAYLOAD_ENCRYPTION_KEYS: `${K2},${K1}` });
    expect(dc?.payloadCodecs).toHaveLength(1);
    expect(dc?.payloadCodecs?.[0]).toBeInstanceOf(AesGcmPayloadCodec);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(dc?.failureConverterPath ?? '') as { failureConverter: { options: unknown } };
    expect(loaded.failureConverter.options).toMatchObject({ encodeCommonAttributes: true });
    expect(() => dataConverterFromEnv({ PAYLOAD_ENCRYPTION_KEYS: 'k1:AAAA' })).toThrow(/32 bytes/);
  });
});

describe('codec server', () => {
  const token = randomBytes(24).toString('hex');
  let server: RunningCodecServer;
  const c = codec(`${K2},${K1}`);

  beforeAll(async () => {
    server = await startCodecServer({
      port: 0,
      ...oneUser(token),
      codec: c,
      corsOrigins: ['http://localhost:8233'],
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...NS, ...headers },
      body: JSON.stringify(body),
    });

  it('refuses requests without a token or with a wrong one, and decodes nothing for them', async () => {
    const [enc] = await c.encode([payload('"bob"')]);
    const body = { payloads: [asJson(enc as Payload)] };
    const none = await post('/decode', body);
    expect(none.status).toBe(401);
    expect(await none.text()).not.toContain('Ym9i'); // base64 of bob
    expect((await post('/decode', body, { Authorization: `Bearer ${token}x` })).status).toBe(401);
    expect((await post('/decode', body, { Authorization: token })).status).toBe(401);
    expect((await post('/encode', body, { Authorization: 'Bearer ' })).status).toBe(401);
  });

  it('decodes and encodes the web UI JSON with the token', async () => {
    const auth = { Authorization: `Bearer ${token}`, 'X-Namespace': 'default' };
    const [enc] = await c.encode([payload('"bob"')]);
    const res = await post('/decode', { payloads: [asJson(enc as Payload)] }, auth);
    expect(res.status).toBe(200);
    const decoded = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(decoded.payloads[0]?.data ?? '', 'base64').toString()).toBe('"bob"');
    expect(Buffer.from(decoded.payloads[0]?.metadata.encoding ?? '', 'base64').toString()).toBe('json/plain');

    const encRes = await post('/encode', { payloads: [asJson(payload('"carol"'))] }, auth);
    const encoded = (await encRes.json()) as { payloads: { metadata: Record<string, string> }[] };
    expect(Buffer.from(encoded.payloads[0]?.metadata[KEY_ID_METADATA] ?? '', 'base64').toString()).toBe('k2');

    expect((await post('/decode', { nope: 1 }, auth)).status).toBe(400);
    const tampered = asJson(enc as Payload);
    tampered.data = Buffer.from('x'.repeat(40)).toString('base64');
    const bad = await post('/decode', { payloads: [tampered] }, auth);
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: string }).error).toMatch(/tampered/);
  });

  it('reads what the data converter wrote: compressed large payloads, with the keys and without them', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    const large = payload(JSON.stringify({ roster: 'viewer-'.repeat(60_000) }));
    const withKeys =
      dataConverterFromEnvironment({ PAYLOAD_ENCRYPTION_KEYS: `${K2},${K1}` }).payloadCodecs ?? [];
    const keyless = dataConverterFromEnvironment({}).payloadCodecs ?? [];
    const [compressed] = await payloadCodecChain(keyless).encode([large]);
    expect(Buffer.from(compressed?.metadata?.encoding ?? '').toString()).toBe(COMPRESSED_ENCODING);
    const [encrypted] = await payloadCodecChain(withKeys).encode([large]);
    expect(Buffer.from(encrypted?.metadata?.encoding ?? '').toString()).toBe('binary/encrypted');
    // The codecs the server's process builds from its environment (client/codec-server/main.ts).
    const bare = await startCodecServer({ port: 0, ...oneUser(token), codec: codecServerCodec({}).codec });
    const full = await startCodecServer({
      port: 0,
      ...oneUser(token),
      codec: codecServerCodec({ PAYLOAD_ENCRYPTION_KEYS: `${K2},${K1}` }).codec,
    });
    try {
      for (const [server, written] of [
        [bare, compressed],
        [full, compressed],
        [full, encrypted],
      ] as const) {
        const res = await fetch(`${server.url}/decode`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...NS, ...auth },
          body: JSON.stringify({ payloads: [asJson(written as Payload)] }),
        });
        expect(res.status).toBe(200);
        const decoded = (await res.json()) as { payloads: { data: string }[] };
        expect(
          Buffer.from(decoded.payloads[0]?.data ?? '', 'base64').equals(Buffer.from(large.data ?? [])),
        ).toBe(true);
      }
    } finally {
      await bare.close();
      await full.close();
    }
  });

  it('answers CORS for the web UI origin only', async () => {
    const preflight = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:8233', 'Access-Control-Request-Headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const evil = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://evil.test' },
    });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 422 with a fixed sentence: no key ID list, no codec internals', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    const [foreign] = await codec(generateEncryptionKey('k9')).encode([payload('"eve"')]);
    const res = await post('/decode', { payloads: [asJson(foreign as Payload)] }, auth);
    expect(res.status).toBe(422);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({
      error: 'a payload was encrypted with a key this server does not have',
    });
    expect(body).not.toMatch(/k1|k2|PAYLOAD_ENCRYPTION_KEYS/);
  });
});

describe('codec server over TLS', () => {
  const token = randomBytes(24).toString('hex');
  const c = codec(K1);
  let dir: string;
  let server: RunningCodecServer;
  let ca: Buffer;

  beforeAll(async () => {
    // A self-signed certificate for 127.0.0.1, made for this run.
    dir = mkdtempSync(join(tmpdir(), 'codec-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    ca = readFileSync(join(dir, 'cert.pem'));
    const tls = tlsFromEnv({
      CODEC_SERVER_TLS_CERT: join(dir, 'cert.pem'),
      CODEC_SERVER_TLS_KEY: join(dir, 'key.pem'),
    });
    server = await startCodecServer({ port: 0, ...oneUser(token), codec: c, tls });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const request = (options: https.RequestOptions, body: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = https.request(
        { host: '127.0.0.1', port: server.port, method: 'POST', ...options },
        (res) => {
          let data = '';
          res.on('data', (chunk: Buffer) => (data += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  it('decodes over HTTPS for a client that trusts the certificate', async () => {
    expect(server.url).toBe(`https://127.0.0.1:${server.port}`);
    const [enc] = await c.encode([payload('"bob"')]);
    const body = JSON.stringify({ payloads: [asJson(enc as Payload)] });
    const res = await request(
      {
        path: '/decode',
        ca,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...NS },
      },
      body,
    );
    expect(res.status).toBe(200);
    const decoded = JSON.parse(res.body) as { payloads: { data: string }[] };
    expect(Buffer.from(decoded.payloads[0]?.data ?? '', 'base64').toString()).toBe('"bob"');
  });

  it('is really TLS: an untrusted certificate is refused by the client, plain HTTP gets no answer', async () => {
    await expect(request({ path: '/decode' }, '{}')).rejects.toThrow(/self[- ]signed|certificate/i);
    await expect(
      fetch(`http://127.0.0.1:${server.port}/decode`, { method: 'POST', body: '{}' }),
    ).rejects.toThrow();
  });

  it('needs both the certificate and the key', () => {
    expect(() => tlsFromEnv({ CODEC_SERVER_TLS_CERT: join(dir, 'cert.pem') })).toThrow(/go together/);
    expect(tlsFromEnv({})).toBeUndefined();
  });
});

/** Waits until the workflow's history has a WorkflowTaskFailed event; the rest of the history with it. */
async function workflowTaskFailure(handle: WorkflowHandle, timeoutMs = 20_000): Promise<unknown[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = (await handle.fetchHistory()).events ?? [];
    if (events.some((e) => e.workflowTaskFailedEventAttributes)) return events;
    if (Date.now() > deadline) throw new Error(`no WorkflowTaskFailed in ${handle.workflowId}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('a webinar on the dev server with the codec on, strict, binding required', () => {
  let stack: EncryptedStack;
  const secretIds = ['alice.host-7f3q', 'bob.speaker-7f3q', 'carol.viewer-7f3q', 'dave.viewer-7f3q'];
  let firstWebinar: { workflowId: string; input: Payload } | undefined;

  beforeAll(async () => {
    // Strict and binding required: the whole run below must work with every plaintext or unbound payload refused.
    stack = await startEncryptedStack({
      PAYLOAD_ENCRYPTION_KEYS: `${K2},${K1}`,
      PAYLOAD_ENCRYPTION_STRICT: 'true',
      PAYLOAD_ENCRYPTION_REQUIRE_BINDING: 'true',
    });
  });
  afterAll(async () => {
    await stack?.shutdown();
  });

  it('the history scan finds plaintext when the codec is off (control)', async () => {
    const spec = webinarSpec(Date.now(), {
      attendees: [{ externalUserId: secretIds[0] ?? '', role: 'host' }],
    });
    const plain = await stack.env.client.workflow.start('webinarWorkflow', {
      args: [spec],
      taskQueue: 'nobody-polls-this-queue',
      workflowId: `control-${spec.webinarId}`,
    });
    expect(await fetchHistoryText(plain)).toContain(secretIds[0]);
    await plain.terminate('control done');
  });

  it('keeps attendee IDs out of the stored history; the codec client still reads everything', async () => {
    const now = Date.now();
    const spec = webinarSpec(now, {
      startAt: new Date(now + 3_000).toISOString(),
      endAt: new Date(now + 8_000).toISOString(),
      provisionLeadSeconds: 2,
      replicaRegions: [],
      attendees: [
        { externalUserId: secretIds[0] ?? '', role: 'host' },
        { externalUserId: secretIds[1] ?? '', role: 'speaker' },
        { externalUserId: secretIds[2] ?? '', role: 'viewer' },
      ],
    });
    const handle = await stack.start(spec);
    await waitForStatus(handle, (s) => s.phase === 'READY' || s.phase === 'LIVE', 20_000);
    await handle.executeUpdate(operatorUpdates.promoteSpeaker, {
      args: [{ externalUserId: secretIds[2] ?? '' }],
    });
    await handle.executeUpdate(operatorUpdates.addAttendees, {
      args: [{ attendees: [{ externalUserId: secretIds[3] ?? '', role: 'viewer' }] }],
    });
    const where = await handle.query(attendeeQuery, { externalUserId: secretIds[3] ?? '' });
    expect(where.attendeeId).toBeTruthy();
    const outcome = await handle.result();
    expect(outcome.attendees).toEqual({ requested: 4, registered: 4, failed: 0 });
    expect((await handle.query(statusQuery)).speakers).toContain(secretIds[2]);

    const stored = await stack.env.client.workflow.getHandle(handle.workflowId).fetchHistory();
    const payloads = storedPayloads(stored);
    // Every payload is ciphertext, and the walk saw them all: one input per scheduled Chime call (a budget
    // token, which pays an operator's lane call back, has none).
    expect(payloads.map((p) => p.encoding)).toEqual(payloads.map(() => ENCRYPTED_ENCODING));
    expect(payloads.filter((p) => p.event === 'activityTaskScheduled')).toHaveLength(
      (stored.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.input?.payloads?.length)
        .length,
    );
    const raw = await fetchHistoryText(stack.env.client.workflow.getHandle(handle.workflowId));
    expect(raw).toContain(ENCRYPTED_ENCODING);
    expect(raw).toContain('k2');
    for (const id of secretIds) expect(raw).not.toContain(id);
    // ExternalMeetingId defaults to the webinar ID, which is public by design (it is in the workflow ID).
    expect(stack.emulator.state().meetings).toHaveLength(0);

    // Every stored payload (inputs, activity arguments and results, updates, the result) is encrypted and bound
    // to this workflow: the SDK gave the codec a context on every path.
    const history = await stack.env.client.workflow.getHandle(handle.workflowId).fetchHistory();
    // The exceptions by design: search attributes (the server indexes them) and the patch markers Temporal
    // Core writes itself (patch IDs, public): no codec touches them, and the strict worker never decodes them.
    const bound = storedPayloads(history);
    expect(bound.length).toBeGreaterThan(10);
    expect(bound.filter((p) => p.encoding !== ENCRYPTED_ENCODING).map((p) => p.event)).toEqual([]);
    // The status memo too (upsertMemo payloads go through the codec): the codec client reads it back, a client
    // without the keys cannot even describe the run.
    expect(bound.filter((p) => p.event === 'workflowPropertiesModified').length).toBeGreaterThan(0);
    await expect(stack.env.client.workflow.getHandle(handle.workflowId).describe()).rejects.toThrow(
      /Unknown encoding: binary\/encrypted/,
    );
    const described = await stack.client.workflow.getHandle(handle.workflowId).describe();
    expect(described.memo?.status).toMatchObject({
      phase: 'ENDED',
      attendees: { requested: 4, registered: 4, failed: 0 },
    });
    const bindings = new Set(bound.map((p) => `${p.encoding} ${p.metadata[BINDING_METADATA]}`));
    expect([...bindings]).toEqual([`${ENCRYPTED_ENCODING} ["default","${handle.workflowId}"]`]);
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    if (!started) throw new Error('no start input');
    firstWebinar = { workflowId: handle.workflowId, input: started };
  });

  it('refuses a plaintext start from a client without the keys: the worker never runs it', async () => {
    const spec = webinarSpec(Date.now(), {
      attendees: [{ externalUserId: 'mallory-7f3q', role: 'host' }],
    });
    const meetingsBefore = stack.emulator.state().totals.meetingsCreated;
    const injected = await stack.env.client.workflow.start('webinarWorkflow', {
      args: [spec],
      taskQueue: stack.taskQueue,
      workflowId: `plaintext-${spec.webinarId}`,
    });
    const events = await workflowTaskFailure(injected);
    expect(JSON.stringify(events)).not.toMatch(/activityTaskScheduled/i);
    expect(stack.emulator.state().totals.meetingsCreated).toBe(meetingsBefore);
    await injected.terminate('test done');
  });

  it('refuses a ciphertext copied from another webinar into a new start', async () => {
    if (!firstWebinar) throw new Error('the previous test records the first webinar');
    const { input } = firstWebinar;
    // A client that sends the stolen, still-encrypted payload as its input (it has no keys itself).
    const replaying = new Client({
      connection: stack.env.connection,
      dataConverter: { payloadCodecs: [{ encode: async () => [input], decode: async (p: Payload[]) => p }] },
    });
    const replayed = await replaying.workflow.start('webinarWorkflow', {
      args: [{}],
      taskQueue: stack.taskQueue,
      workflowId: `replayed-${firstWebinar.workflowId}`,
    });
    const events = await workflowTaskFailure(replayed);
    expect(JSON.stringify(events)).not.toMatch(/activityTaskScheduled/i);
    await replayed.terminate('test done');
  });

  it('refuses an encrypted start bound to no workflow (what a codec server encoding unbound makes)', async () => {
    const spec = webinarSpec(Date.now(), {
      attendees: [{ externalUserId: 'mallory-unbound-7f3q', role: 'host' }],
    });
    // A holder of the keys that encrypts without the SDK's context: a valid ciphertext, bound to nothing.
    const keys = codec(`${K2},${K1}`);
    const unbinding = new Client({
      connection: stack.env.connection,
      dataConverter: {
        payloadCodecs: [
          { encode: (p: Payload[]) => keys.encode(p), decode: (p: Payload[]) => keys.decode(p) },
        ],
      },
    });
    const meetingsBefore = stack.emulator.state().totals.meetingsCreated;
    const unbound = await unbinding.workflow.start('webinarWorkflow', {
      args: [spec],
      taskQueue: stack.taskQueue,
      workflowId: `unbound-${spec.webinarId}`,
    });
    const events = await workflowTaskFailure(unbound);
    expect(JSON.stringify(events)).not.toMatch(/activityTaskScheduled/i);
    expect(stack.emulator.state().totals.meetingsCreated).toBe(meetingsBefore);
    await unbound.terminate('test done');
  });

  it('encodes failure messages: a ValidationError reads as "Encoded failure" in history, clearly with the codec', async () => {
    const spec = webinarSpec(Date.now(), {
      primaryRegion: 'mars-north-1',
      attendees: [{ externalUserId: 'aws:erin-7f3q', role: 'viewer' }],
    });
    const createdBefore = stack.emulator.state().totals.meetingsCreated;
    const handle = await stack.start(spec);
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('ValidationError');
    expect(cause.message).toMatch(/primaryRegion/);
    expect(cause.message).toMatch(/attendees\[0\]\.externalUserId/);

    const raw = await fetchHistoryText(stack.env.client.workflow.getHandle(handle.workflowId));
    expect(raw).toContain('Encoded failure');
    expect(raw).not.toMatch(/primaryRegion|mars-north-1|erin-7f3q/);
    expect(stack.emulator.state().totals.meetingsCreated).toBe(createdBefore);
  });
});
