/**
 * The one SQL surface the store needs, over either engine: PostgreSQL through `pg` (production) or PGlite
 * (PostgreSQL built to WASM, in-process: the demo and the default tests). Both speak the same dialect, so the
 * schema and every query are written once.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { Pool, PoolClient } from 'pg';

export interface SqlResult<R> {
  rows: R[];
  /** Rows inserted, updated or deleted. */
  count: number;
}

export interface SqlQuery {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<SqlResult<R>>;
  /** Several statements without parameters (a migration). */
  exec(text: string): Promise<void>;
}

export interface Sql extends SqlQuery {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlQuery) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function pgliteSql(db: PGlite): Sql {
  const on = (q: Pick<PGlite, 'query' | 'exec'>): SqlQuery => ({
    async query<R>(text: string, params: unknown[] = []) {
      const out = await q.query<R>(text, params);
      return { rows: out.rows, count: out.affectedRows ?? 0 };
    },
    async exec(text) {
      await q.exec(text);
    },
  });
  return {
    ...on(db),
    transaction: (fn) => db.transaction((tx) => fn(on(tx))),
    close: () => db.close(),
  };
}

export function postgresSql(pool: Pool): Sql {
  return {
    ...pgQuery(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(pgQuery(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** A pool or one of its clients: both take the simple protocol (several statements) when given no parameters. */
function pgQuery(q: Pick<PoolClient, 'query'>): SqlQuery {
  return {
    async query<R>(text: string, params: unknown[] = []) {
      const out = await q.query(text, params);
      return { rows: out.rows as R[], count: out.rowCount ?? 0 };
    },
    async exec(text) {
      await q.query(text);
    },
  };
}
