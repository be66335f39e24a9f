/**
 * Structured logs: one JSON object per line on stderr ({time, level, msg, ...meta}). The same logger is the
 * Temporal Runtime's logger, so SDK and Core messages (forwarded from Rust) come out in the same format.
 *
 * Every line goes through activities/redact.ts, the one home of what is secret: meta keys that could carry
 * personal data or secrets (JoinTokens, external user and meeting IDs, AWS credentials, task tokens, passwords,
 * …) become "[redacted]" wherever they appear, metadata nested deeper than MAX_SCRUB_DEPTH becomes "[truncated]",
 * and the message and every string value are scrubbed of tokens and credentials too.
 */
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { scrubText, scrubValue } from '../activities/redact';

export const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

const SEVERITY: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

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
      msg: scrubText(message),
      ...this.base,
      ...(scrubValue(rest) as Record<string, unknown>),
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
