/**
 * The bridge's log: one JSON line per entry on stdout, at or above a level. Entries name webinars, message IDs,
 * counts and reasons only: never an externalUserId, an attendee ID or a JoinToken (the events carry the first
 * two; the bridge never logs an event or a body).
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogEntry = { level: LogLevel; event: string } & Record<string, unknown>;
export type BridgeLog = (entry: LogEntry) => void;

export function jsonLog(minimum: LogLevel, write: (line: string) => void): BridgeLog {
  const floor = LOG_LEVELS.indexOf(minimum);
  return (entry) => {
    if (LOG_LEVELS.indexOf(entry.level) < floor) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), service: 'events-bridge', ...entry })}\n`);
  };
}

/** Remembers up to `max` keys, forgetting the oldest: "log once per webinar" without growing for ever. */
export class RecentKeys {
  private readonly keys = new Set<string>();
  constructor(private readonly max = 10_000) {}

  /** True the first time a key is seen (again, once it was forgotten). */
  add(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.max) {
      const oldest = this.keys.values().next();
      if (!oldest.done) this.keys.delete(oldest.value);
    }
    return true;
  }
}
