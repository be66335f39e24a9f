/**
 * The data converter of every connection this project opens (the worker, the client library, the CLI, the
 * demo), so client and worker always agree on how payloads are encoded: the optional AES-GCM codec
 * (codec.ts, configured by PAYLOAD_ENCRYPTION_KEYS), then the compression of large payloads
 * (compression-codec.ts). Configuration errors of the codec (a bad key) are thrown, and reported as a
 * ConfigError by the callers.
 */
import type { DataConverter, Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import { dataConverterFromEnv } from './codec';
import { CompressionPayloadCodec } from './compression-codec';

export function dataConverterFromEnvironment(env: NodeJS.ProcessEnv = process.env): DataConverter {
  const encrypting = dataConverterFromEnv(env);
  // Encoded in this order, decoded in the reverse: decompression first, then decryption.
  return {
    ...encrypting,
    payloadCodecs: [...(encrypting?.payloadCodecs ?? []), new CompressionPayloadCodec()],
  };
}

/**
 * The codecs as one, applied as the SDK applies a data converter's list: encode in order, decode in reverse. The
 * serialization context, when given, reaches every codec (the codec server binds what it encodes with it).
 */
export function payloadCodecChain(codecs: readonly PayloadCodec[]): PayloadCodec {
  return {
    async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
      for (const codec of codecs) payloads = await codec.encode(payloads, context);
      return payloads;
    },
    async decode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
      for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads, context);
      return payloads;
    },
  };
}
