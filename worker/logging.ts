/**
 * Structured logs: one JSON object per line on stderr ({time, level, msg, ...meta}). The same logger is the
 * Temporal Runtime's logger, so SDK and Core messages (forwarded from Rust) come out in the same format.
 *
 * Meta keys that could carry personal data or secrets (join tokens, external user and meeting IDs) are
 * replaced by "[redacted]" wherever they appear, however deep.
 */
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';

export const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

const SEVERITY: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

/** Keys never written to a log line, compared case-insensitively. */
const SECRET_KEYS = new Set([
  'jointoken',
  'externaluserid',
  'externaluserids',
  'externalmeetingid',
  'apikey',
]);

function scrub(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEYS.has(key.toLowerCase()) ? '[redacted]' : scrub(v, depth + 1);
  }
  return out;
}

export interface JsonLoggerOptions {
  level?: LogLevel;
  /** Where lines go (default: process.stderr). */
  write?: (line: string) => void;
  /** Fields added to every line, e.g. {service: 'worker'}. */
  base?: LogMetadata;
}

export class JsonLogger implements Logger {
  readonly level: LogLevel;
  private readonly write: (line: string) => void;
  private readonly base: LogMetadata;

  constructor(options: JsonLoggerOptions = {}) {
    this.level = options.level ?? 'INFO';
    this.write = options.write ?? ((line) => process.stderr.write(line));
    this.base = options.base ?? {};
  }

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (SEVERITY[level] < SEVERITY[this.level]) return;
    // Forwarded Core logs carry their own timestamp (nanoseconds since the epoch, as a bigint).
    const { timestampNanos, ...rest } = (meta ?? {}) as LogMetadata & { timestampNanos?: unknown };
    const time =
      typeof timestampNanos === 'bigint' ? new Date(Number(timestampNanos / 1_000_000n)) : new Date();
    const line = {
      time: time.toISOString(),
      level,
      msg: message,
      ...this.base,
      ...(scrub(rest) as Record<string, unknown>),
    };
    this.write(`${JSON.stringify(line, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
