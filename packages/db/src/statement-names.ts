import { createHash } from 'node:crypto';
import type pg from 'pg';

// The SQL texts of prepared queries (`preparedQuery`) and the name each runs under on PostgreSQL.
// Only those are named: their number is bounded by the code, whereas naming every text a
// connection sees would prepare one-off queries (a `where … in (…)` of each length) for as long
// as the connection lives, on the client and on the server.
const names = new Map<string, string>();

/** Named statements at most, whatever the code asks: a connection prepares each name once. */
const MAX_NAMED = 512;

/** Marks a SQL text to run as a named prepared statement on PostgreSQL. */
export function nameStatement(sql: string): void {
  if (names.has(sql) || names.size >= MAX_NAMED) return;
  // A digest of the text: the same statement has the same name in every process and connection.
  names.set(sql, `paystream_${createHash('sha256').update(sql).digest('hex').slice(0, 40)}`);
}

/** The name a SQL text runs under on PostgreSQL, if it is a prepared query's. */
export function statementName(sql: string): string | undefined {
  return names.get(sql);
}

type Query = (...args: unknown[]) => unknown;

/**
 * Makes each client of the pool run the texts of prepared queries as named prepared statements
 * (parsed and planned once per connection, then only bound and executed); any other query runs as
 * before. A prepared statement whose result columns changed under it (an `ALTER TABLE` of a
 * `select *`) fails with "cached plan must not change result type" for as long as it lives, so
 * that client then prepares the text again under a new name: at once outside a transaction, from
 * the next statement inside one (the failed transaction is lost either way).
 */
export function nameStatementsOf(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as Query;
    let generation = 0;
    let inTransaction = false;
    const named = (sql: string, values: unknown) => {
      const name = statementName(sql)!;
      return query({ name: generation === 0 ? name : `${name}_${generation}`, text: sql, values });
    };
    client.query = ((...args: unknown[]) => {
      const [sql, values] = args;
      if (typeof sql !== 'string' || args.length !== 2 || !Array.isArray(values)) return query(...args);
      if (/^(begin|start transaction)\b/i.test(sql)) inTransaction = true;
      else if (/^(commit|rollback)$/i.test(sql)) inTransaction = false;
      if (!statementName(sql)) return query(sql, values);
      return (named(sql, values) as Promise<unknown>).catch((err: unknown) => {
        if (!isStalePlan(err)) throw err;
        generation++;
        if (inTransaction) throw err;
        return named(sql, values);
      });
    }) as typeof client.query;
  });
}

function isStalePlan(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return e.code === '0A000' && typeof e.message === 'string' && e.message.includes('cached plan');
}
