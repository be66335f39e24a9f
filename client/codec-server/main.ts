/**
 * The codec server's process: its settings from the environment, checked before it listens, and a clean stop on
 * SIGINT or SIGTERM. The server itself is server.ts beside this file.
 *
 * Run: `CODEC_SERVER_TOKEN=… PAYLOAD_ENCRYPTION_KEYS=… npx ts-node --transpile-only client/codec-server/main.ts`
 * (port CODEC_SERVER_PORT, default 8888; host CODEC_SERVER_HOST, default 127.0.0.1; origins
 * CODEC_SERVER_CORS_ORIGINS, comma-separated, default http://localhost:8233).
 */
import { readFileSync } from 'node:fs';
import type { PayloadCodec } from '@temporalio/common';
import { AesGcmPayloadCodec } from '../temporal/codec';
import { dataConverterFromEnvironment, payloadCodecChain } from '../temporal/data-converter';
import { exitOnStopSignals, runMain } from '../cli/run-main';
import { DEFAULT_UI_ORIGIN, startCodecServer, tokenProblem, type CodecServerOptions } from './server';

/** TLS files from CODEC_SERVER_TLS_CERT / CODEC_SERVER_TLS_KEY: both or neither. */
export function tlsFromEnv(env: NodeJS.ProcessEnv): CodecServerOptions['tls'] {
  const certPath = env.CODEC_SERVER_TLS_CERT?.trim() || undefined;
  const keyPath = env.CODEC_SERVER_TLS_KEY?.trim() || undefined;
  if (!certPath && !keyPath) return undefined;
  if (!certPath || !keyPath)
    throw new Error('CODEC_SERVER_TLS_CERT and CODEC_SERVER_TLS_KEY go together: set both');
  return { cert: readFileSync(certPath), key: readFileSync(keyPath) };
}

/** The same codecs as every connection's data converter, so whatever a worker wrote (compressed, encrypted) reads. */
export function codecServerCodec(env: NodeJS.ProcessEnv): { codec: PayloadCodec; encrypts: string } {
  const codecs = dataConverterFromEnvironment(env).payloadCodecs ?? [];
  const encryption = codecs.find((c): c is AesGcmPayloadCodec => c instanceof AesGcmPayloadCodec);
  return {
    codec: payloadCodecChain(codecs),
    encrypts: encryption
      ? `key ${encryption.currentKeyId} encrypts`
      : 'no PAYLOAD_ENCRYPTION_KEYS: it only compresses and decompresses large payloads',
  };
}

async function main(): Promise<void> {
  const token = process.env.CODEC_SERVER_TOKEN;
  const problem = tokenProblem(token);
  if (problem || token === undefined) throw new Error(`CODEC_SERVER_TOKEN ${problem ?? 'must be set'}`);
  const { codec, encrypts } = codecServerCodec(process.env);
  const running = await startCodecServer({
    port: Number(process.env.CODEC_SERVER_PORT ?? 8888),
    host: process.env.CODEC_SERVER_HOST,
    token,
    codec,
    tls: tlsFromEnv(process.env),
    corsOrigins: (process.env.CODEC_SERVER_CORS_ORIGINS ?? DEFAULT_UI_ORIGIN)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  });
  console.log(`Codec server listening on ${running.url} (${encrypts})`);
  exitOnStopSignals(() => running.close());
}

// main() returns once the server listens: it keeps serving until a signal stops it.
if (require.main === module) runMain(main, { errors: 'message' });
