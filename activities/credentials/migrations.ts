/**
 * The store's schema, as numbered migrations applied at start, each once, in order, in its own transaction;
 * `credential_store_migrations` records which ran. An advisory lock serialises workers that start together.
 * A migration is never edited once released: a change is a new one.
 */
import type { Sql } from './sql';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Any constant: the lock only has to be the same for every process that migrates this database. */
const MIGRATION_LOCK = 7_262_026;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'meetings and attendees',
    sql: `
      CREATE TABLE credential_meetings (
        meeting_id text PRIMARY KEY,
        webinar_id text NOT NULL,
        primary_meeting_id text,
        key_id text NOT NULL,
        sealed bytea NOT NULL,
        written_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX credential_meetings_primary ON credential_meetings (primary_meeting_id);
      CREATE INDEX credential_meetings_webinar ON credential_meetings (webinar_id);
      CREATE TABLE credential_attendees (
        webinar_id text NOT NULL,
        user_lookup text NOT NULL,
        meeting_id text NOT NULL REFERENCES credential_meetings (meeting_id) ON DELETE CASCADE,
        attendee_id text NOT NULL,
        key_id text NOT NULL,
        sealed bytea NOT NULL,
        written_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (webinar_id, user_lookup, meeting_id)
      );
      CREATE UNIQUE INDEX credential_attendees_attendee ON credential_attendees (meeting_id, attendee_id);
    `,
  },
  {
    version: 2,
    name: 'capabilities updated after creation',
    // In the clear: what an attendee may send is in workflow history anyway, and a batch update names
    // attendees by ID only, so it could not open rows sealed to their externalUserIds.
    sql: 'ALTER TABLE credential_attendees ADD COLUMN capabilities jsonb;',
  },
  {
    version: 3,
    name: 'attendance',
    // One row per webinar and attendee (attendance.ts): the externalUserId sealed, found by its lookup hash as
    // the credential rows are; the counts in the clear (they name no one), so SQL can sum and prune them.
    sql: `
      CREATE TABLE attendance (
        webinar_id text NOT NULL,
        user_lookup text NOT NULL,
        key_id text NOT NULL,
        sealed_user bytea NOT NULL,
        role text NOT NULL,
        first_join_at timestamptz,
        last_leave_at timestamptz,
        connected_seconds integer NOT NULL,
        joins integer NOT NULL,
        drops integer NOT NULL,
        generation integer NOT NULL,
        written_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (webinar_id, user_lookup)
      );
      CREATE INDEX attendance_written_at ON attendance (written_at);
    `,
  },
];

/** Applies the migrations not yet applied; returns the versions it applied. */
export async function migrate(sql: Sql, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(`
      CREATE TABLE IF NOT EXISTS credential_store_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM credential_store_migrations');
    const applied = new Set(rows.map((r) => Number(r.version)));
    const known = Math.max(0, ...migrations.map((m) => m.version));
    const newer = [...applied].filter((v) => v > known);
    if (newer.length > 0) {
      throw new Error(
        `the credential store's schema is at version ${Math.max(...newer)}, newer than this code knows (${known}): run a newer release`,
      );
    }
    const done: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO credential_store_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
      done.push(m.version);
    }
    return done;
  });
}
