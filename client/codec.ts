/**
 * Optional end-to-end encryption of everything the SDK stores in Temporal: workflow inputs (attendee identities),
 * activity arguments and results, query/update payloads and — with the failure converter below — failure
 * messages and stack traces.
 *
 * Keys come from the environment: `PAYLOAD_ENCRYPTION_KEYS="k2:<base64 32 bytes>,k1:<base64 32 bytes>"`. The
 * first key encrypts; every listed key decrypts (rotation: prepend the new key, keep the old ones until no open
 * history needs them). Each encrypted payload carries `encoding: binary/encrypted` and `encryption-key-id: <id>`.
 *
 * Format of an encrypted payload's data: 12-byte IV || AES-256-GCM ciphertext || 16-byte tag, over a small JSON
 * document holding the original payload's metadata and data (base64). The key ID is the GCM additional data, so
 * changing the metadata's key ID is detected like any other tampering.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';

export const ENCODING_KEY = 'encoding';
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const KEYS_ENV = 'PAYLOAD_ENCRYPTION_KEYS';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** A payload that cannot be decrypted: unknown key, wrong key, tampered or truncated data. */
export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

/**
 * Parses `id:base64,id:base64`. Errors name the entry by position and ID, never its key material.
 */
export function parseEncryptionKeys(value: string): EncryptionKey[] {
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (entries.length === 0) throw new Error(`${KEYS_ENV}: no keys given (expected "id:base64key,...")`);
  const keys: EncryptionKey[] = [];
  for (const [i, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new Error(`${KEYS_ENV}: entry ${i + 1} is not "id:base64key"`);
    const id = entry.slice(0, colon);
    const material = entry.slice(colon + 1);
    if (!KEY_ID_PATTERN.test(id)) {
      throw new Error(`${KEYS_ENV}: entry ${i + 1} has an invalid key ID (1-64 chars of [A-Za-z0-9._-])`);
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(material)) {
      throw new Error(`${KEYS_ENV}: key "${id}" is not base64`);
    }
    const key = Buffer.from(material, 'base64');
    if (key.length !== KEY_BYTES) {
      throw new Error(`${KEYS_ENV}: key "${id}" must be ${KEY_BYTES} bytes (AES-256), got ${key.length}`);
    }
    if (keys.some((k) => k.id === id)) throw new Error(`${KEYS_ENV}: key ID "${id}" is listed twice`);
    keys.push({ id, key });
  }
  return keys;
}

/** A fresh random key in the environment's format, e.g. for `PAYLOAD_ENCRYPTION_KEYS=$(…)`. */
export function generateEncryptionKey(id: string): string {
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

interface Envelope {
  m: Record<string, string>;
  d: string;
}

function serialize(payload: Payload): Buffer {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(payload.metadata ?? {})) {
    if (v) metadata[k] = Buffer.from(v).toString('base64');
  }
  const envelope: Envelope = {
    m: metadata,
    d: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
  return Buffer.from(JSON.stringify(envelope), 'utf8');
}

function deserialize(bytes: Buffer): Payload {
  const envelope = JSON.parse(bytes.toString('utf8')) as Envelope;
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(envelope.m)) metadata[k] = Buffer.from(v, 'base64');
  return { metadata, data: Buffer.from(envelope.d, 'base64') };
}

function metadataString(payload: Payload, key: string): string | undefined {
  const v = payload.metadata?.[key];
  return v ? Buffer.from(v).toString('utf8') : undefined;
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly keys: EncryptionKey[];
  private readonly byId: Map<string, Buffer>;

  constructor(keys: EncryptionKey[]) {
    const [current] = keys;
    if (!current) throw new Error('AesGcmPayloadCodec needs at least one key');
    for (const k of keys) {
      if (k.key.length !== KEY_BYTES) throw new Error(`key "${k.id}" must be ${KEY_BYTES} bytes`);
    }
    this.keys = keys;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** The key new payloads are encrypted with. */
  get currentKeyId(): string {
    return this.keys[0]?.id ?? '';
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const current = this.keys[0];
    if (!current) throw new Error('no encryption key');
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(Buffer.from(current.id, 'utf8'));
      const body = Buffer.concat([cipher.update(serialize(payload)), cipher.final()]);
      return {
        metadata: {
          [ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING, 'utf8'),
          [KEY_ID_METADATA]: Buffer.from(current.id, 'utf8'),
        },
        data: Buffer.concat([iv, body, cipher.getAuthTag()]),
      };
    });
  }

  /** Payloads that are not encrypted (written before the codec was turned on) pass through unchanged. */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (metadataString(payload, ENCODING_KEY) !== ENCRYPTED_ENCODING) return payload;
      const keyId = metadataString(payload, KEY_ID_METADATA);
      if (keyId === undefined) {
        throw new PayloadDecryptionError(`Encrypted payload has no ${KEY_ID_METADATA} metadata`);
      }
      const key = this.byId.get(keyId);
      if (!key) {
        throw new PayloadDecryptionError(
          `Payload was encrypted with key "${keyId}", which is not in ${KEYS_ENV} (known: ${[...this.byId.keys()].join(', ')})`,
        );
      }
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) {
        throw new PayloadDecryptionError(`Encrypted payload (key "${keyId}") is truncated`);
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(keyId, 'utf8'));
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        const plain = Buffer.concat([
          decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
          decipher.final(),
        ]);
        return deserialize(plain);
      } catch (err) {
        throw new PayloadDecryptionError(
          `Payload could not be decrypted with key "${keyId}": it was tampered with, or the key with this ID is not the one it was encrypted with (${err instanceof Error ? err.message : String(err)})`,
        );
      }
    });
  }
}

/** The codec configured by the environment, or undefined when PAYLOAD_ENCRYPTION_KEYS is unset or empty. */
export function codecFromEnv(env: NodeJS.ProcessEnv = process.env): AesGcmPayloadCodec | undefined {
  const value = env[KEYS_ENV];
  if (value === undefined || value.trim() === '') return undefined;
  return new AesGcmPayloadCodec(parseEncryptionKeys(value));
}

/** Path of the failure converter that moves failure messages and stack traces into (encrypted) payloads. */
export const ENCODED_FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * The data converter for workers and clients: the AES-GCM codec plus a failure converter that encodes messages
 * and stack traces. Undefined when PAYLOAD_ENCRYPTION_KEYS is not configured. Workers that are given a prebuilt
 * workflow bundle must bundle with `failureConverterPath: ENCODED_FAILURE_CONVERTER_PATH` too.
 */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): DataConverter | undefined {
  const codec = codecFromEnv(env);
  if (!codec) return undefined;
  return { payloadCodecs: [codec], failureConverterPath: ENCODED_FAILURE_CONVERTER_PATH };
}
