/**
 * The codec server's process: its settings from the environment, every bad variable named at once (exit 2),
 * and a clean stop on SIGINT or SIGTERM. The server itself is server.ts beside this file.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | CODEC_SERVER_TOKENS | — (required) | users, `name:role:secret[:ns|ns]`, roles `decode` or `encode+decode` (access.ts) |
 * | CODEC_SERVER_NAMESPACES | `default` | the namespaces it serves (`X-Namespace`), comma-separated |
 * | CODEC_SERVER_ALLOW_UNBOUND_ENCODE | false | `/encode` without `X-Workflow-Id` encrypts unbound instead of refusing |
 * | CODEC_SERVER_PORT, CODEC_SERVER_HOST | 8888, 127.0.0.1 | where it listens |
 * | CODEC_SERVER_CORS_ORIGINS | http://localhost:8233 | the web UI's origins, comma-separated |
 * | CODEC_SERVER_TLS_CERT, CODEC_SERVER_TLS_KEY | — | PEM paths: HTTPS only |
 * | PAYLOAD_ENCRYPTION_KEYS, PAYLOAD_ENCRYPTION_STRICT | — | the codec, as every connection's |
 *
 * CODEC_SERVER_TOKEN (one token for everything) is refused with a message saying what replaces it: kept, it
 * would silently keep the encode right and every namespace that the per-user tokens exist to take away.
 */
import { readFileSync } from 'node:fs';
import type { PayloadCodec } from '@temporalio/common';
import { AesGcmPayloadCodec, CodecConfigError, parseStrict } from '../temporal/codec';
import { ConfigError, envValue, type ConfigProblem } from '../temporal/connection';
import { dataConverterFromEnvironment, payloadCodecChain } from '../temporal/data-converter';
import { exitOnStopSignals, runMain } from '../cli/run-main';
import { CODEC_SERVER_TOKENS_ENV, NAMESPACE, parseCodecUsers } from './access';
import { DEFAULT_UI_ORIGIN, startCodecServer, type CodecServerOptions } from './server';

const EXIT_CONFIG = 2;

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

export type CodecServerConfig = Omit<CodecServerOptions, 'log'> & { encrypts: string };

/** Runs `read`, turning its throw into a problem of `variable` (its message never repeats a secret). */
function attempt<T>(variable: string, problems: ConfigProblem[], read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const named = err instanceof CodecConfigError ? err.variable : variable;
    problems.push({ variable: named, message: message.replace(new RegExp(`^${named}:?\\s*`), '') });
    return undefined;
  }
}

/** The settings from the environment; a ConfigError names every bad variable. */
export function readCodecServerConfig(env: NodeJS.ProcessEnv): CodecServerConfig {
  const problems: ConfigProblem[] = [];
  if (env.CODEC_SERVER_TOKEN !== undefined)
    problems.push({
      variable: 'CODEC_SERVER_TOKEN',
      message: `is replaced by ${CODEC_SERVER_TOKENS_ENV}: one token per person, "name:role:secret", role decode or encode+decode, secret ≥ 32 characters (e.g. ${CODEC_SERVER_TOKENS_ENV}=ops:decode:<secret>); unset CODEC_SERVER_TOKEN`,
    });
  const rawUsers = envValue(env, CODEC_SERVER_TOKENS_ENV);
  if (rawUsers === undefined)
    problems.push({ variable: CODEC_SERVER_TOKENS_ENV, message: 'must be set (name:role:secret,...)' });
  const users =
    rawUsers === undefined
      ? undefined
      : attempt(CODEC_SERVER_TOKENS_ENV, problems, () => parseCodecUsers(rawUsers));
  const namespaces = (envValue(env, 'CODEC_SERVER_NAMESPACES') ?? 'default')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (namespaces.length === 0 || namespaces.some((n) => !NAMESPACE.test(n)))
    problems.push({
      variable: 'CODEC_SERVER_NAMESPACES',
      message: 'must be namespace names (letters, digits, . _ -), comma-separated',
    });
  for (const user of users ?? [])
    for (const n of user.namespaces ?? [])
      if (!namespaces.includes(n))
        problems.push({
          variable: CODEC_SERVER_TOKENS_ENV,
          message: `"${user.name}" names a namespace CODEC_SERVER_NAMESPACES does not list`,
        });
  const allowUnboundEncode = attempt('CODEC_SERVER_ALLOW_UNBOUND_ENCODE', problems, () =>
    parseStrict(env.CODEC_SERVER_ALLOW_UNBOUND_ENCODE, 'CODEC_SERVER_ALLOW_UNBOUND_ENCODE'),
  );
  const rawPort = envValue(env, 'CODEC_SERVER_PORT') ?? '8888';
  const port = Number(rawPort);
  if (!/^\d{1,5}$/.test(rawPort) || port < 1 || port > 65535)
    problems.push({
      variable: 'CODEC_SERVER_PORT',
      message: `${JSON.stringify(rawPort)} is not a port (1-65535)`,
    });
  const tls = attempt('CODEC_SERVER_TLS_CERT', problems, () => tlsFromEnv(env));
  const codec = attempt('PAYLOAD_ENCRYPTION_KEYS', problems, () => codecServerCodec(env));
  if (problems.length > 0 || !users || !codec) throw new ConfigError(problems, 'codec server configuration');
  return {
    port,
    host: envValue(env, 'CODEC_SERVER_HOST'),
    users,
    namespaces,
    allowUnboundEncode: allowUnboundEncode ?? false,
    codec: codec.codec,
    encrypts: codec.encrypts,
    tls,
    corsOrigins: (envValue(env, 'CODEC_SERVER_CORS_ORIGINS') ?? DEFAULT_UI_ORIGIN)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

async function main(env: NodeJS.ProcessEnv = process.env): Promise<number | void> {
  let config: CodecServerConfig;
  try {
    config = readCodecServerConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\nSee docs/security.md ("Codec server") for every variable.\n`);
    return EXIT_CONFIG;
  }
  const { encrypts, ...options } = config;
  const running = await startCodecServer(options);
  const roles = config.users.map((u) => `${u.name} (${u.role})`).join(', ');
  console.log(
    `Codec server listening on ${running.url} (${encrypts}; namespaces ${config.namespaces.join(', ')}; users ${roles})`,
  );
  exitOnStopSignals(() => running.close());
}

// main() returns once the server listens: it keeps serving until a signal stops it.
if (require.main === module) runMain(main, { errors: 'message' });
