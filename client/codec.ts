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
 * document holding the original payload's metadata and data (base64).
 *
 * Binding: the SDK (1.24, experimental `SerializationContext`) tells the codec which workflow owns a payload
 * (namespace and workflow ID, for workflow and activity payloads alike). Encoding with a context records it in
 * `encryption-workflow: ["<namespace>","<workflowId>"]`, and the GCM additional data is the key ID plus that
 * binding, so neither can be changed undetected. Decoding with a context refuses a payload bound to another
 * workflow: a ciphertext copied from one webinar's history into another's start, signal or update fails. The
 * SDK does not say which field a payload is (argument, result, memo), so it is not bound to its field; and a
 * decode without a context (the codec server for the web UI) checks integrity but cannot check the owner.
 * Payloads written before binding (additional data = key ID alone) still decrypt.
 *
 * Strict mode (`PAYLOAD_ENCRYPTION_STRICT=true`, for a deployment whose open histories are all encrypted):
 * decoding refuses plaintext payloads, so a client without the keys cannot inject plaintext input.
 *
 * Errors never list the configured key IDs: they name only what the payload itself says.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec, SerializationContext } from '@temporalio/common';

export const ENCODING_KEY = 'encoding';
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const BINDING_METADATA = 'encryption-workflow';
export const KEYS_ENV = 'PAYLOAD_ENCRYPTION_KEYS';
export const STRICT_ENV = 'PAYLOAD_ENCRYPTION_STRICT';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** A payload that cannot be decrypted: unknown key, wrong key, tampered, truncated, bound elsewhere, plaintext. */
export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

/** A bad codec variable; `variable` names it (PAYLOAD_ENCRYPTION_KEYS or PAYLOAD_ENCRYPTION_STRICT). */
export class CodecConfigError extends Error {
  override name = 'CodecConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

export interface CodecOptions {
  /** Refuse plaintext payloads on decode (default false: they pass through, as before migration). */
  strict?: boolean;
}

/**
 * Parses `id:base64,id:base64`. Errors name the entry by position and ID, never its key material.
 */
export function parseEncryptionKeys(value: string): EncryptionKey[] {
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const fail = (message: string): CodecConfigError => new CodecConfigError(KEYS_ENV, message);
  if (entries.length === 0) throw fail('no keys given (expected "id:base64key,...")');
  const keys: EncryptionKey[] = [];
  for (const [i, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    if (colon <= 0) throw fail(`entry ${i + 1} is not "id:base64key"`);
    const id = entry.slice(0, colon);
    const material = entry.slice(colon + 1);
    if (!KEY_ID_PATTERN.test(id)) {
      throw fail(`entry ${i + 1} has an invalid key ID (1-64 chars of [A-Za-z0-9._-])`);
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(material)) {
      throw fail(`key "${id}" is not base64`);
    }
    const key = Buffer.from(material, 'base64');
    if (key.length !== KEY_BYTES) {
      throw fail(`key "${id}" must be ${KEY_BYTES} bytes (AES-256), got ${key.length}`);
    }
    if (keys.some((k) => k.id === id)) throw fail(`key ID "${id}" is listed twice`);
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

/** The workflow a payload belongs to, as the SDK's serialization context names it; undefined when unknown. */
function owner(context: SerializationContext | undefined): string | undefined {
  if (!context?.workflowId) return undefined;
  return JSON.stringify([context.namespace, context.workflowId]);
}

/** GCM additional data: the key ID, plus the owning workflow when the payload is bound to one. */
function additionalData(keyId: string, binding: string | undefined): Buffer {
  // Key IDs never contain a newline (KEY_ID_PATTERN), so the two parts cannot be confused.
  return Buffer.from(binding === undefined ? keyId : `${keyId}\n${binding}`, 'utf8');
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly keys: EncryptionKey[];
  private readonly byId: Map<string, Buffer>;
  readonly strict: boolean;

  constructor(keys: EncryptionKey[], options: CodecOptions = {}) {
    const [current] = keys;
    if (!current) throw new Error('AesGcmPayloadCodec needs at least one key');
    for (const k of keys) {
      if (k.key.length !== KEY_BYTES) throw new Error(`key "${k.id}" must be ${KEY_BYTES} bytes`);
    }
    this.keys = keys;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
    this.strict = options.strict ?? false;
  }

  /** The key new payloads are encrypted with. */
  get currentKeyId(): string {
    return this.keys[0]?.id ?? '';
  }

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    const current = this.keys[0];
    if (!current) throw new Error('no encryption key');
    const binding = owner(context);
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(additionalData(current.id, binding));
      const body = Buffer.concat([cipher.update(serialize(payload)), cipher.final()]);
      return {
        metadata: {
          [ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING, 'utf8'),
          [KEY_ID_METADATA]: Buffer.from(current.id, 'utf8'),
          ...(binding !== undefined ? { [BINDING_METADATA]: Buffer.from(binding, 'utf8') } : {}),
        },
        data: Buffer.concat([iv, body, cipher.getAuthTag()]),
      };
    });
  }

  /**
   * Unencrypted payloads (written before the codec was turned on) pass through unchanged, unless strict. With a
   * context, a payload bound to another workflow is refused.
   */
  async decode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    const expected = owner(context);
    return payloads.map((payload) => {
      if (metadataString(payload, ENCODING_KEY) !== ENCRYPTED_ENCODING) {
        if (!this.strict) return payload;
        throw new PayloadDecryptionError(
          `Refused an unencrypted payload: ${STRICT_ENV} is on, so every payload must be encrypted (a client or worker without ${KEYS_ENV} wrote it)`,
        );
      }
      const keyId = metadataString(payload, KEY_ID_METADATA);
      if (keyId === undefined) {
        throw new PayloadDecryptionError(`Encrypted payload has no ${KEY_ID_METADATA} metadata`);
      }
      const key = this.byId.get(keyId);
      if (!key) {
        throw new PayloadDecryptionError(
          `Payload was encrypted with key "${keyId}", which is not in this process's ${KEYS_ENV}`,
        );
      }
      const binding = metadataString(payload, BINDING_METADATA);
      if (expected !== undefined && binding !== undefined && binding !== expected) {
        throw new PayloadDecryptionError(
          'Payload belongs to another workflow: it was copied from another history (or its binding was changed)',
        );
      }
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) {
        throw new PayloadDecryptionError(`Encrypted payload (key "${keyId}") is truncated`);
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
        decipher.setAAD(additionalData(keyId, binding));
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

/** PAYLOAD_ENCRYPTION_STRICT: true/false (also 1/0, yes/no); unset or empty is false. */
export function parseStrict(value: string | undefined): boolean {
  const v = value?.trim().toLowerCase() ?? '';
  if (v === '' || v === 'false' || v === '0' || v === 'no') return false;
  if (v === 'true' || v === '1' || v === 'yes') return true;
  throw new CodecConfigError(STRICT_ENV, `${JSON.stringify(value)} is not true or false`);
}

/** The codec configured by the environment, or undefined when PAYLOAD_ENCRYPTION_KEYS is unset or empty. */
export function codecFromEnv(env: NodeJS.ProcessEnv = process.env): AesGcmPayloadCodec | undefined {
  const value = env[KEYS_ENV];
  const strict = parseStrict(env[STRICT_ENV]);
  if (value === undefined || value.trim() === '') {
    if (strict)
      throw new CodecConfigError(STRICT_ENV, `is on but ${KEYS_ENV} is not set: set both, or neither`);
    return undefined;
  }
  return new AesGcmPayloadCodec(parseEncryptionKeys(value), { strict });
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
