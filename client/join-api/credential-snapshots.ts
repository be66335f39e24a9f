/**
 * What the join API reads credentials through: one snapshot of each webinar's rows, read in one query, and
 * trusted for `checkEveryMs` before the store's version of the webinar is asked again (one small query, shared
 * by every join meanwhile). An embedded store answers one query at a time, so 10,000 people joining at once
 * would otherwise queue behind 10,000 queries. A removal or a capability update is answered within
 * `checkEveryMs` plus one read; the JoinToken a removal left in a snapshot that long is one Chime no longer
 * honours.
 */
import type { CredentialStore, JoinCredentials, WebinarCredentials } from '../../domain/credentials';

export const STORE_CHECK_MS = 250;
/** Snapshots kept at most, the least recently asked for going first; and how long an unasked one is kept. */
const MAX_WEBINARS = 64;
const IDLE_MS = 60_000;

export type SnapshotSource = Pick<CredentialStore, 'webinarVersion' | 'readWebinar'>;

export interface CredentialSnapshots {
  getAll(webinarId: string, externalUserId: string): Promise<JoinCredentials[]>;
}

interface Entry {
  version: string;
  snapshot: WebinarCredentials;
  checkedAt: number;
  usedAt: number;
}

export function credentialSnapshots(
  source: SnapshotSource,
  options: { checkEveryMs?: number; now?: () => number } = {},
): CredentialSnapshots {
  const checkEveryMs = options.checkEveryMs ?? STORE_CHECK_MS;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const checking = new Map<string, Promise<WebinarCredentials>>();

  const evict = (): void => {
    const t = now();
    for (const [id, e] of entries) if (t - e.usedAt > IDLE_MS) entries.delete(id);
    // A Map iterates in insertion order and every use re-inserts: the first is the least recently used.
    while (entries.size > MAX_WEBINARS) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
  };

  const check = async (webinarId: string): Promise<WebinarCredentials> => {
    // The version is read before the rows: rows newer than it only make the next check read them again.
    const version = await source.webinarVersion(webinarId);
    const held = entries.get(webinarId);
    if (held && held.version === version) {
      held.checkedAt = now();
      return held.snapshot;
    }
    const snapshot = await source.readWebinar(webinarId);
    entries.set(webinarId, { version, snapshot, checkedAt: now(), usedAt: now() });
    evict();
    return snapshot;
  };

  const current = (webinarId: string): Promise<WebinarCredentials> => {
    const held = entries.get(webinarId);
    if (held && now() - held.checkedAt < checkEveryMs) return Promise.resolve(held.snapshot);
    let pending = checking.get(webinarId);
    if (!pending) {
      pending = check(webinarId).finally(() => checking.delete(webinarId));
      checking.set(webinarId, pending);
    }
    return pending;
  };

  return {
    async getAll(webinarId, externalUserId) {
      const snapshot = await current(webinarId);
      const entry = entries.get(webinarId);
      if (entry) {
        entry.usedAt = now();
        entries.delete(webinarId);
        entries.set(webinarId, entry);
      }
      return snapshot.getAll(externalUserId);
    },
  };
}
