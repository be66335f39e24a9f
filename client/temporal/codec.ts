/**
 * Optional end-to-end encryption of everything the SDK stores in Temporal: workflow inputs (attendee identities),
 * activity arguments and results, query/update payloads and — with the failure converter below — failure
 * messages and stack traces.
 *
 * Keys come from the environment: `PAYLOAD_ENCRYPTION_KEYS="k2:<base64 32 bytes>,k1:<base64 32 bytes>"`. The
 * first key encrypts; every listed key decrypts (rotation: prepend the new key, keep the old ones until no open
 * history needs them). Each encrypted payload carries `encoding: binary/encrypted` and `encryption-key-id: <id>`.
 *
 * Format of an encrypted payload's data: 12-byte IV || AES-256-GCM ciphertext || 16-byte tag. The plaintext is
 * the original payload in binary: a version byte (2), a body byte (0 raw, 1 Brotli), then the body: the
 * metadata count and each key and value with its length (32-bit big-endian), then the data. Payloads of 1 KiB
 * or more are compressed when that makes them smaller: a full roster carried by continue-as-new must stay far
 * under Temporal's 2 MiB limit (base64 inside JSON would add a third). Compressing before encrypting
 * lets the ciphertext's length depend on how repetitive the plaintext is, which a reader of the history sees;
 * lengths are visible without compression too, and attendee IDs share a payload only with operators' input
 * (operators see the IDs anyway). Payloads of the older JSON format (`{"m":…,"d":base64}`, which
 * starts with `{`) still decrypt. The version and body bytes are inside the ciphertext, so authenticated.
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
 * Required binding (`PAYLOAD_ENCRYPTION_REQUIRE_BINDING=true`, once no open history holds payloads written before
 * binding): a decode with a workflow context refuses an encrypted payload bound to no workflow, so a payload
 * encrypted without a context (by a holder of the keys elsewhere) cannot be fed to any workflow.
 *
 * Errors never list the configured key IDs: they name only what the payload itself says.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { brotliCompressSync, brotliDecompressSync, constants as zlib } from 'node:zlib';
import type { DataConverter, Payload, PayloadCodec, SerializationContext } from '@temporalio/common';

export const ENCODING_KEY = 'encoding';
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const BINDING_METADATA = 'encryption-workflow';
export const KEYS_ENV = 'PAYLOAD_ENCRYPTION_KEYS';
export const STRICT_ENV = 'PAYLOAD_ENCRYPTION_STRICT';
export const REQUIRE_BINDING_ENV = 'PAYLOAD_ENCRYPTION_REQUIRE_BINDING';

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
  /** Refuse unbound encrypted payloads on a decode with a workflow context (default false: histories written
   * before binding stay readable). */
  requireBinding?: boolean;
}

/**
 * Parses `id:base64,id:base64`. Errors name the entry by position and ID, never its key material.
 */
export function parseEncryptionKeys(value: string, variable = KEYS_ENV): EncryptionKey[] {
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const fail = (message: string): CodecConfigError => new CodecConfigError(variable, message);
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

/** The plaintext format of payloads written before the binary one: JSON, metadata and data in base64. */
interface LegacyEnvelope {
  m: Record<string, string>;
  d: string;
}

const FORMAT_BINARY = 2;
const BODY_RAW = 0;
const BODY_BROTLI = 1;
/** Smaller payloads gain little from compression. */
const COMPRESS_MIN_BYTES = 1024;
/**
 * Brotli rather than deflate: random external user IDs mixing 1-, 2- and 3-byte UTF-8 characters deflate to
 * 1.11 MB for a full roster, Brotli (whose context model follows the previous byte) to 1.00 MB. Quality 5: higher
 * ones gain under 1 % on such data for several times the CPU.
 */
const BROTLI_QUALITY = 5;
/** Refuse to decompress past this: far above Temporal's 2 MiB limit, low enough to bound a decode's memory. */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** A payload in the binary format (compressed when that makes it smaller); `unpackPayload` reverses it. */
export function packPayload(payload: Payload): Buffer {
  const parts: Buffer[] = [];
  const metadata = Object.entries(payload.metadata ?? {}).filter(([, v]) => v);
  parts.push(u32(metadata.length));
  for (const [k, v] of metadata) {
    const key = Buffer.from(k, 'utf8');
    const value = Buffer.from(v ?? new Uint8Array());
    parts.push(u32(key.length), key, u32(value.length), value);
  }
  parts.push(Buffer.from(payload.data ?? new Uint8Array()));
  const body = Buffer.concat(parts);
  if (body.length >= COMPRESS_MIN_BYTES) {
    const compressed = brotliCompressSync(body, {
      params: {
        [zlib.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
        [zlib.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    });
    if (compressed.length < body.length)
      return Buffer.concat([Buffer.from([FORMAT_BINARY, BODY_BROTLI]), compressed]);
  }
  return Buffer.concat([Buffer.from([FORMAT_BINARY, BODY_RAW]), body]);
}

function deserializeBinary(body: Buffer): Payload {
  let at = 0;
  const take = (n: number): Buffer => {
    if (at + n > body.length) throw new Error('the payload body is truncated');
    const out = body.subarray(at, at + n);
    at += n;
    return out;
  };
  const count = take(4).readUInt32BE();
  const metadata: Record<string, Uint8Array> = {};
  for (let i = 0; i < count; i++) {
    const key = take(take(4).readUInt32BE()).toString('utf8');
    metadata[key] = Buffer.from(take(take(4).readUInt32BE()));
  }
  return { metadata, data: Buffer.from(body.subarray(at)) };
}

export function unpackPayload(bytes: Buffer): Payload {
  if (bytes[0] === FORMAT_BINARY) {
    const body = bytes.subarray(2);
    if (bytes[1] === BODY_RAW) return deserializeBinary(body);
    if (bytes[1] === BODY_BROTLI) {
      return deserializeBinary(brotliDecompressSync(body, { maxOutputLength: MAX_INFLATED_BYTES }));
    }
    throw new Error(`unknown payload body encoding ${bytes[1]}`);
  }
  const envelope = JSON.parse(bytes.toString('utf8')) as LegacyEnvelope;
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(envelope.m)) metadata[k] = Buffer.from(v, 'base64');
  return { metadata, data: Buffer.from(envelope.d, 'base64') };
}

/** A metadata value of a payload as text, if it has one. */
export function metadataString(payload: Payload, key: string): string | undefined {
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
  readonly requireBinding: boolean;

  constructor(keys: EncryptionKey[], options: CodecOptions = {}) {
    const [current] = keys;
    if (!current) throw new Error('AesGcmPayloadCodec needs at least one key');
    for (const k of keys) {
      if (k.key.length !== KEY_BYTES) throw new Error(`key "${k.id}" must be ${KEY_BYTES} bytes`);
    }
    this.keys = keys;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
    this.strict = options.strict ?? false;
    this.requireBinding = options.requireBinding ?? false;
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
      const body = Buffer.concat([cipher.update(packPayload(payload)), cipher.final()]);
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
      if (expected !== undefined && binding === undefined && this.requireBinding) {
        throw new PayloadDecryptionError(
          `Refused a payload bound to no workflow: ${REQUIRE_BINDING_ENV} is on (it was encrypted without a workflow, e.g. before binding existed or by a codec server)`,
        );
      }
      if (expected !== undefined && binding !== undefined && binding !== expected) {
        throw new PayloadDecryptionError(
          'Payload belongs to another workflow: it was copied from another history (or its binding was changed)',
        );
      }
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) {
        throw new PayloadDecryptionError(`Encrypted payload (key "${keyId}") is truncated`);
      }
      let plain: Buffer;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
        decipher.setAAD(additionalData(keyId, binding));
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        plain = Buffer.concat([
          decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
          decipher.final(),
        ]);
      } catch (err) {
        throw new PayloadDecryptionError(
          `Payload could not be decrypted with key "${keyId}": it was tampered with, or the key with this ID is not the one it was encrypted with (${err instanceof Error ? err.message : String(err)})`,
        );
      }
      try {
        return unpackPayload(plain);
      } catch (err) {
        // Authentic, so written by a holder of the key: a format this code does not read.
        throw new PayloadDecryptionError(
          `Payload decrypted with key "${keyId}" but its contents are not a payload this code reads (${err instanceof Error ? err.message : String(err)})`,
        );
      }
    });
  }
}

/** PAYLOAD_ENCRYPTION_STRICT (or another flag): true/false (also 1/0, yes/no); unset or empty is false. */
export function parseStrict(value: string | undefined, variable = STRICT_ENV): boolean {
  const v = value?.trim().toLowerCase() ?? '';
  if (v === '' || v === 'false' || v === '0' || v === 'no') return false;
  if (v === 'true' || v === '1' || v === 'yes') return true;
  throw new CodecConfigError(variable, `${JSON.stringify(value)} is not true or false`);
}

/** The codec configured by the environment, or undefined when PAYLOAD_ENCRYPTION_KEYS is unset or empty. */
export function codecFromEnv(env: NodeJS.ProcessEnv = process.env): AesGcmPayloadCodec | undefined {
  const value = env[KEYS_ENV];
  const strict = parseStrict(env[STRICT_ENV]);
  const requireBinding = parseStrict(env[REQUIRE_BINDING_ENV], REQUIRE_BINDING_ENV);
  if (value === undefined || value.trim() === '') {
    for (const [on, variable] of [
      [strict, STRICT_ENV],
      [requireBinding, REQUIRE_BINDING_ENV],
    ] as const)
      if (on) throw new CodecConfigError(variable, `is on but ${KEYS_ENV} is not set: set both, or neither`);
    return undefined;
  }
  return new AesGcmPayloadCodec(parseEncryptionKeys(value), { strict, requireBinding });
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
