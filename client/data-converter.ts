/**
 * The optional payload codec (client/codec.ts, AES-GCM, configured by PAYLOAD_ENCRYPTION_KEYS and friends).
 * Every connection this project opens — the worker, the client library, the CLI, the demo — gets its data
 * converter from here, so client and worker always agree on how payloads are encoded.
 *
 * The codec module is loaded lazily: until it exists in a checkout, no codec is configured (payloads are plain
 * JSON). Configuration errors of the codec itself (a bad key) are not swallowed.
 */
import type { DataConverter } from '@temporalio/common';

interface CodecModule {
  dataConverterFromEnv?: (env?: NodeJS.ProcessEnv) => DataConverter | undefined;
}

function isMissingCodecModule(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return e?.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes("'./codec'");
}

function loadCodecModule(): CodecModule | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('./codec') as CodecModule;
  } catch (err) {
    if (isMissingCodecModule(err)) return undefined;
    throw err;
  }
}

/** The data converter for every connection, or undefined for the SDK's default (plain JSON payloads). */
export function dataConverterFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): DataConverter | undefined {
  return loadCodecModule()?.dataConverterFromEnv?.(env);
}
