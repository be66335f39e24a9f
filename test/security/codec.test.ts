/**
 * The AES-256-GCM payload codec, its codec server, and a real webinar on the dev server with the codec on: no
 * attendee identity and no failure message in plaintext in the stored history.
 */
import { randomBytes } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, type Payload } from '@temporalio/common';
import {
  AesGcmPayloadCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  PayloadDecryptionError,
  codecFromEnv,
  dataConverterFromEnv,
  generateEncryptionKey,
  parseEncryptionKeys,
} from '../../client/codec';
import { startCodecServer, type RunningCodecServer } from '../../client/codec-server';
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

  it('rotates: new payloads use the first key, payloads of the old key still decrypt', async () => {
    const before = codec(K1);
    const after = codec(`${K2},${K1}`);
    const old = await before.encode([payload('"old"')]);
    const fresh = await after.encode([payload('"new"')]);
    expect(meta(fresh[0], KEY_ID_METADATA)).toBe('k2');
    expect(after.currentKeyId).toBe('k2');
    expect(text((await after.decode(old))[0])).toBe('"old"');
    expect(text((await after.decode(fresh))[0])).toBe('"new"');
    // A process that only knows k1 says clearly which key it lacks.
    await expect(before.decode(fresh)).rejects.toThrow(
      /encrypted with key "k2", which is not in PAYLOAD_ENCRYPTION_KEYS \(known: k1\)/,
    );
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
    server = await startCodecServer({ port: 0, token, codec: c, corsOrigins: ['http://localhost:8233'] });
  });
  afterAll(async () => {
    await server?.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const asJson = (p: Payload) => ({
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? []).toString('base64'),
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

  it('will not start with a short token', async () => {
    await expect(startCodecServer({ port: 0, token: 'short', codec: c })).rejects.toThrow(/16 characters/);
  });
});

describe('a webinar on the dev server with the codec on', () => {
  let stack: EncryptedStack;
  const secretIds = ['alice.host-7f3q', 'bob.speaker-7f3q', 'carol.viewer-7f3q', 'dave.viewer-7f3q'];

  beforeAll(async () => {
    stack = await startEncryptedStack(`${K2},${K1}`);
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
    // Every payload is ciphertext, and the walk saw them all: one input per scheduled Chime call.
    expect(payloads.map((p) => p.encoding)).toEqual(payloads.map(() => ENCRYPTED_ENCODING));
    expect(payloads.filter((p) => p.event === 'activityTaskScheduled')).toHaveLength(
      (stored.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes).length,
    );
    const raw = await fetchHistoryText(stack.env.client.workflow.getHandle(handle.workflowId));
    expect(raw).toContain(ENCRYPTED_ENCODING);
    expect(raw).toContain('k2');
    for (const id of secretIds) expect(raw).not.toContain(id);
    // ExternalMeetingId defaults to the webinar ID, which is public by design (it is in the workflow ID).
    expect(stack.emulator.state().meetings).toHaveLength(0);
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
