/**
 * The state continue-as-new carries, for the largest input the service takes, encoded as the worker encodes it
 * (the project's data converter: JSON, then the AES-GCM codec bound to the workflow). Temporal refuses a payload
 * over 2 MiB, and a LIVE webinar whose continue-as-new is refused fails its workflow task forever: the encrypted
 * carried state must stay at 1 MiB or less, whatever the external user IDs look like.
 */
import { mulberry32 } from '../../emulator';
import { createCipheriv, randomBytes } from 'node:crypto';
import { defaultPayloadConverter, toPayloads, type Payload } from '@temporalio/common';
import {
  BINDING_METADATA,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  codecFromEnv,
  generateEncryptionKey,
} from '../../client/temporal/codec';
import { dataConverterFromEnvironment } from '../../client/temporal/data-converter';
import { MAX_ATTENDEES, ATTENDEES_PER_MEETING } from '../../domain/limits';
import { EXTERNAL_ID_CHAR } from '../../domain/validation/identifiers';
import { MAX_REJECTIONS_KEPT } from '../../workflows/rejections';
import { Roster, type PackedRoster } from '../../workflows/roster';
import { Attendance } from '../../workflows/attendance';
import { carryState, type WebinarState } from '../../workflows/state';
import { webinarSpec } from '../support/webinar-stack';

const MiB = 1024 * 1024;
const ID_LENGTH = 64;

/** The emulator's seeded generator (mulberry32): the same IDs every run, as random as the compressor can be given. */
const random = mulberry32;

/** Every character the service accepts in an external user ID (all in the Basic Multilingual Plane). */
const ALLOWED = Array.from({ length: 0x10000 }, (_, c) => String.fromCharCode(c)).filter((ch) =>
  EXTERNAL_ID_CHAR.test(ch),
);
const ALPHABETS = {
  ascii: ALLOWED.filter((ch) => /[A-Za-z0-9]/.test(ch)),
  // À-ÿ: two bytes each in UTF-8.
  accented: ALLOWED.filter((ch) => ch >= 'À' && ch <= 'ÿ'),
  // Everything allowed: 1-, 2- and 3-byte characters mixed, and JSON escapes (\v is written \u000b).
  'every allowed character': ALLOWED,
};

function uuid(next: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A LIVE webinar at the largest size, everyone registered, the primary's promotion seats all taken. */
function worstState(alphabet: readonly string[]): WebinarState {
  const next = random(0x5eed);
  const ids = new Set<string>();
  while (ids.size < MAX_ATTENDEES) {
    let id = '';
    while (id.length < ID_LENGTH) id += alphabet[Math.floor(next() * alphabet.length)] ?? 'x';
    if (id.slice(0, 4).toLowerCase() !== 'aws:') ids.add(id);
  }
  const specs = [...ids].map((externalUserId, i) => ({
    externalUserId,
    role: i === 0 ? ('host' as const) : i < 25 ? ('speaker' as const) : ('viewer' as const),
    region: 'ap-southeast-1',
  }));
  const roster = Roster.fromSpecs(specs);
  const meetings: WebinarState['meetings'] = [];
  const replicas = MAX_ATTENDEES / ATTENDEES_PER_MEETING - 1;
  for (let m = 0; m <= replicas; m++) {
    const meetingId = uuid(next);
    meetings.push({
      key: m === 0 ? 'primary' : `replica-${m}`,
      meetingId,
      region: 'ap-southeast-1',
      meetingArn: `arn:aws:chime:ap-southeast-1:123456789012:meeting/${meetingId}`,
    });
  }
  specs.forEach(({ externalUserId }, i) => {
    const m = Math.floor(i / ATTENDEES_PER_MEETING);
    roster.placed(externalUserId, m === 0 ? 'primary' : `replica-${m}`);
    roster.registered(externalUserId, uuid(next));
    // Replica viewers promoted into the primary, a second attendee ID each (more than its seats allow).
    if (m > 0 && i % ATTENDEES_PER_MEETING < 10) roster.promoted(externalUserId, uuid(next));
  });
  // Everyone joined, dropped and came back; the promoted viewers are connected in the primary as well.
  const attendance = new Attendance();
  const at = Date.UTC(2030, 0, 1, 10, 0, 0);
  specs.forEach(({ externalUserId, role }, i) => {
    const m = Math.floor(i / ATTENDEES_PER_MEETING);
    const event = (type: 'AttendeeJoined' | 'AttendeeDropped', offset: number, slot: 'seat' | 'promoted') =>
      attendance.apply(
        { id: uuid(next), type, at: at + offset + i * 7, meetingId: 'm', attendeeId: 'a', externalUserId },
        { externalUserId, role, slot },
      );
    event('AttendeeJoined', 1_000, 'seat');
    event('AttendeeDropped', 61_000, 'seat');
    event('AttendeeJoined', 63_000, 'seat');
    if (m > 0 && i % ATTENDEES_PER_MEETING < 10) event('AttendeeJoined', 90_000, 'promoted');
  });
  const rejected = Array.from({ length: MAX_REJECTIONS_KEPT }, (_, i) => ({
    action: 'addAttendees',
    reason: `addAttendees: attendees[${i}].externalUserId (attendee #${i}) is already an attendee; ${'x'.repeat(200)}`,
    at: new Date(Date.UTC(2030, 0, 1, 10, 0, i)).toISOString(),
  }));
  return {
    phase: 'LIVE',
    generation: 3,
    startAt: '2030-01-01T10:00:00.000Z',
    endAt: '2030-01-02T10:00:00.000Z',
    meetingsCheckedAt: Date.UTC(2030, 0, 1, 10, 0, 0),
    meetings,
    roster,
    attendance,
    transcription: 'ON',
    transcriptionSettings: { LanguageCode: 'en-US' },
    rejected,
    lastError: 'x'.repeat(500),
  };
}

const size = (payloads: Payload[]): number =>
  payloads.reduce((n, p) => {
    const metadata = Object.entries(p.metadata ?? {}).reduce(
      (m, [k, v]) => m + Buffer.byteLength(k) + (v?.length ?? 0),
      0,
    );
    return n + metadata + (p.data?.length ?? 0);
  }, 0);

describe('the state carried by continue-as-new, encrypted', () => {
  const converter = dataConverterFromEnvironment({ PAYLOAD_ENCRYPTION_KEYS: generateEncryptionKey('k1') });
  const codec = converter?.payloadCodecs?.[0];
  const context = { type: 'workflow' as const, namespace: 'default', workflowId: 'webinar-largest' };

  it.each(Object.entries(ALPHABETS))(
    'stays at 1 MiB or less for 10,250 attendees with 64-character IDs (%s)',
    async (name, alphabet) => {
      if (!codec) throw new Error('no codec');
      const state = worstState(alphabet);
      // The arguments webinar.ts gives continueAsNew: the spec without its attendees, and the carried state.
      const spec = { ...webinarSpec(Date.UTC(2030, 0, 1)), attendees: [] };
      const plain = toPayloads(defaultPayloadConverter, spec, carryState(state)) ?? [];
      const encoded = await codec.encode(plain, context);
      const [plainBytes, encodedBytes] = [size(plain), size(encoded)];
      console.log(
        `carried state (${name}): ${plainBytes.toLocaleString('en')} bytes plaintext, ${encodedBytes.toLocaleString('en')} bytes encrypted`,
      );
      expect(encodedBytes).toBeLessThanOrEqual(MiB);
      // And it decodes back to the same state.
      const decoded = await codec.decode(encoded, context);
      expect(decoded.map((p) => Buffer.from(p.data ?? []).toString('utf8'))).toEqual(
        plain.map((p) => Buffer.from(p.data ?? []).toString('utf8')),
      );
    },
  );
});

describe('the state carried by continue-as-new, without encryption keys', () => {
  const codecs = dataConverterFromEnvironment({}).payloadCodecs ?? [];

  it.each(Object.entries(ALPHABETS))(
    'is compressed to 1 MiB or less for 10,250 attendees with 64-character IDs (%s)',
    async (name, alphabet) => {
      const spec = { ...webinarSpec(Date.UTC(2030, 0, 1)), attendees: [] };
      const plain = toPayloads(defaultPayloadConverter, spec, carryState(worstState(alphabet))) ?? [];
      let encoded = plain;
      for (const codec of codecs) encoded = await codec.encode(encoded);
      console.log(
        `carried state (${name}), no keys: ${size(plain).toLocaleString('en')} bytes plaintext, ${size(encoded).toLocaleString('en')} bytes compressed`,
      );
      expect(size(encoded)).toBeLessThanOrEqual(MiB);
      let decoded = encoded;
      for (const codec of [...codecs].reverse()) decoded = await codec.decode(decoded);
      expect(decoded.map((p) => Buffer.from(p.data ?? []).toString('utf8'))).toEqual(
        plain.map((p) => Buffer.from(p.data ?? []).toString('utf8')),
      );
      // The spec, small, stays JSON anyone can read.
      expect(Buffer.from(encoded[0]?.data ?? []).toString('utf8')).toContain(spec.webinarId);
    },
  );
});

describe('what continue-as-new carries of the roster', () => {
  const specs = ['a', 'b', 'c', 'd', 'e'].map((id) => ({
    externalUserId: `user-${id}`,
    role: 'viewer' as const,
  }));

  it('leaves removed attendees out, and never gives their positions to anyone else', () => {
    const roster = Roster.fromSpecs(specs);
    roster.placed('user-b', 'primary');
    roster.registered('user-b', 'att-b');
    for (const id of ['user-a', 'user-b', 'user-d', 'user-e']) roster.removed(id);
    const packed = roster.encode();
    expect(JSON.stringify(packed)).not.toMatch(/user-[abde]|att-b/);
    // Two positions before user-c, two after it.
    expect(packed).toEqual([2, ['user-c', 'v', '', '', '', 'p', '', 0, ''], 2]);

    const next = Roster.decode(JSON.parse(JSON.stringify(packed)) as PackedRoster);
    expect(next.ref('user-c')).toBe('attendee #2');
    expect(next.get('user-b')).toBeUndefined();
    expect(next.ref('user-b')).toBeUndefined();
    expect(next.counts()).toEqual({ requested: 1, registered: 0, failed: 0 });
    // Added again, a dropped attendee is a new one: pending, at a new position.
    next.add([
      { externalUserId: 'user-new', role: 'viewer' },
      { externalUserId: 'user-b', role: 'viewer' },
    ]);
    expect(next.ref('user-new')).toBe('attendee #5');
    expect(next.ref('user-b')).toBe('attendee #6');
    // The same entry as re-adding it before continue-as-new gives (only the position differs).
    roster.add([{ externalUserId: 'user-b', role: 'viewer' }]);
    expect(next.get('user-b')).toEqual(roster.get('user-b'));
    expect(next.get('user-b')).toEqual({
      externalUserId: 'user-b',
      role: 'viewer',
      state: 'pending',
      speaking: false,
    });
    expect(Roster.decode(next.encode()).encode()).toEqual(next.encode());
  });

  it('decodes a roster packed by the previous code, removed entries included, and drops them when carried on', () => {
    const old: PackedRoster = [
      ['user-a', 'h', '', 'primary', 'att-a', 'r', '', 1, ''],
      ['user-b', 'v', 'eu-west-1', 'replica-1', '', 'x', '', 0, ''],
      ['user-c', 'v', '', 'replica-1', 'att-c', 'r', '', 0, ''],
    ];
    const roster = Roster.decode(old);
    expect(roster.get('user-b')?.state).toBe('removed');
    expect(roster.ref('user-b')).toBe('attendee #1');
    expect(roster.ref('user-c')).toBe('attendee #2');
    expect(roster.encode()).toEqual([old[0], 1, old[2]]);
  });
});

describe('the codec format', () => {
  const key = generateEncryptionKey('k1');
  const codec = codecFromEnv({ PAYLOAD_ENCRYPTION_KEYS: key });
  const context = { type: 'workflow' as const, namespace: 'default', workflowId: 'webinar-a' };
  const json = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);

  it('still decodes payloads of the previous format (base64 inside JSON), bound or not', async () => {
    if (!codec) throw new Error('no codec');
    const material = Buffer.from(key.slice(key.indexOf(':') + 1), 'base64');
    const legacy = (binding?: string): Payload => {
      const plain = json({ attendees: ['alice'] });
      const envelope = JSON.stringify({
        m: { encoding: Buffer.from(plain.metadata?.encoding ?? []).toString('base64') },
        d: Buffer.from(plain.data ?? []).toString('base64'),
      });
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', material, iv);
      cipher.setAAD(Buffer.from(binding === undefined ? 'k1' : `k1\n${binding}`));
      const body = Buffer.concat([cipher.update(envelope, 'utf8'), cipher.final()]);
      return {
        metadata: {
          encoding: Buffer.from(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: Buffer.from('k1'),
          ...(binding !== undefined ? { [BINDING_METADATA]: Buffer.from(binding) } : {}),
        },
        data: Buffer.concat([iv, body, cipher.getAuthTag()]),
      };
    };
    for (const p of [legacy(), legacy('["default","webinar-a"]')]) {
      const [decoded] = await codec.decode([p], context);
      expect(defaultPayloadConverter.fromPayload(decoded as Payload)).toEqual({ attendees: ['alice'] });
    }
  });

  it('encrypts the bytes themselves, compressing large payloads only', async () => {
    if (!codec) throw new Error('no codec');
    const small = json({ id: 'alice' });
    const large = json({ ids: Array.from({ length: 2000 }, (_, i) => `attendee-${i}`) });
    const [encSmall, encLarge] = await codec.encode([small, large], context);
    // IV + version and body bytes + the payload (its metadata count, one key and value with lengths) + tag.
    const meta = 4 + 4 + 'encoding'.length + 4 + 'json/plain'.length;
    expect(encSmall?.data?.length).toBe(12 + 2 + meta + (small.data?.length ?? 0) + 16);
    expect(encLarge?.data?.length).toBeLessThan((large.data?.length ?? 0) / 4);
    const decoded = await codec.decode([encSmall as Payload, encLarge as Payload], context);
    expect(decoded).toEqual([small, large].map((p) => ({ metadata: p.metadata, data: p.data })));
  });
});
