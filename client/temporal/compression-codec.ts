/**
 * Compression of large payloads when they are not encrypted (the encryption codec compresses before it
 * encrypts). The carried state of the largest valid webinar is about 2.3 MB of JSON with accented IDs, over
 * Temporal's 2 MiB payload limit; compressed it is about a third of that. Payloads under
 * COMPRESS_FROM_BYTES stay plain JSON, so the Web UI and `temporal workflow show` still read everything but
 * the largest (a roster, a carried state).
 *
 * Its decode also runs where encryption is on, after decryption is tried: a history that began before the keys
 * were configured still decodes.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import { ENCODING_KEY, ENCRYPTED_ENCODING, metadataString, packPayload, unpackPayload } from './codec';

export const COMPRESSED_ENCODING = 'binary/compressed';
/** Smaller payloads stay readable; larger ones are few (rosters, carried states) and gain the most. */
export const COMPRESS_FROM_BYTES = 256 * 1024;

function size(payload: Payload): number {
  const metadata = Object.entries(payload.metadata ?? {}).reduce(
    (sum, [k, v]) => sum + k.length + (v?.length ?? 0),
    0,
  );
  return metadata + (payload.data?.length ?? 0);
}

export class CompressionPayloadCodec implements PayloadCodec {
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const bytes = size(payload);
      if (bytes < COMPRESS_FROM_BYTES || metadataString(payload, ENCODING_KEY) === ENCRYPTED_ENCODING)
        return payload;
      const packed = packPayload(payload);
      if (packed.length >= bytes) return payload;
      return { metadata: { [ENCODING_KEY]: Buffer.from(COMPRESSED_ENCODING, 'utf8') }, data: packed };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) =>
      metadataString(payload, ENCODING_KEY) === COMPRESSED_ENCODING
        ? unpackPayload(Buffer.from(payload.data ?? new Uint8Array()))
        : payload,
    );
  }
}
