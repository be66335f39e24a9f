/**
 * The optional payload codec (client/temporal/codec.ts, AES-GCM, configured by PAYLOAD_ENCRYPTION_KEYS). Every connection
 * this project opens — the worker, the client library, the CLI, the demo — gets its data converter from here, so
 * client and worker always agree on how payloads are encoded. Configuration errors of the codec (a bad key) are
 * thrown, and reported as a ConfigError by the callers.
 */
import type { DataConverter } from '@temporalio/common';
import { dataConverterFromEnv } from './codec';

/** The data converter for every connection, or undefined for the SDK's default (plain JSON payloads). */
export function dataConverterFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): DataConverter | undefined {
  return dataConverterFromEnv(env);
}
