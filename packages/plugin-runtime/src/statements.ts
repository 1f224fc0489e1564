// A batch's statements in as few round trips as the database allows. On PostgreSQL every read of a
// batch goes in one select (each read's rows as a JSON array) and every write in one statement of
// data-modifying CTEs; SQLite runs in the process, so there each statement simply runs in turn.
import { isPostgres, type Kysely } from '@paystream/db';
import type { BatchStatement } from '@paystream/plugin-sdk';
import { type CompiledQuery, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: any schema: the statements were built by their owners.
type AnyDb = Kysely<any>;
type Row = Record<string, unknown>;

/** PostgreSQL's limit of bound parameters per statement is 65,535: a statement above it is split. */
const MAX_PARAMETERS = 65_535;

const run = (db: AnyDb, statement: BatchStatement) =>
  db.executeQuery<Row>(statement as unknown as Parameters<AnyDb['executeQuery']>[0]);

/** Runs the named selects in `db` and answers each one's rows by its name. */
export async function readAll(
  db: AnyDb,
  reads: ReadonlyMap<string, BatchStatement>,
): Promise<Map<string, Row[]>> {
  const rows = new Map<string, Row[]>();
  if (reads.size === 0) return rows;
  if (!isPostgres(db)) {
    for (const [name, read] of reads) rows.set(name, (await run(db, read)).rows);
    return rows;
  }
  const answers = await inStatements(db, [...reads], (part) => {
    const columns = part.map(
      ([, read], i) =>
        sql`(select coalesce(json_agg(r), '[]'::json) from (${read}) as r) as ${sql.ref(`r${i}`)}`,
    );
    return [
      sql`select ${sql.join(columns)}`.compile(db),
      (row) => part.map(([name], i) => [name, row[`r${i}`]]),
    ];
  });
  for (const [name, value] of answers) rows.set(name, value as Row[]);
  return rows;
}

/** Runs `writes` in `db` in their order; on PostgreSQL as one statement of data-modifying CTEs. */
export async function writeAll(db: AnyDb, writes: readonly BatchStatement[]): Promise<void> {
  if (writes.length === 0) return;
  if (!isPostgres(db) || writes.length === 1) {
    for (const write of writes) await run(db, write);
    return;
  }
  await inStatements(db, writes, (part) => {
    // PostgreSQL runs the CTEs that nothing reads from the last listed to the first: listed in
    // reverse, they run in the order given, so rows shared between batches (queued last, like the
    // ledger's balances) are locked last, as they would be one statement at a time.
    const ctes = part.map((write, i) => sql`${sql.ref(`w${i}`)} as (${write})`).reverse();
    return [sql`with ${sql.join(ctes)} select 1`.compile(db), () => []];
  });
}

/**
 * Compiles `items` into one statement and runs it, or, when that statement would hold more bound
 * parameters than PostgreSQL takes, the two halves of `items` the same way, one after the other.
 */
async function inStatements<T>(
  db: AnyDb,
  items: readonly T[],
  compile: (part: readonly T[]) => [CompiledQuery, (row: Row) => [string, unknown][]],
): Promise<[string, unknown][]> {
  const [query, answer] = compile(items);
  if (query.parameters.length > MAX_PARAMETERS && items.length > 1) {
    const half = Math.ceil(items.length / 2);
    const first = await inStatements(db, items.slice(0, half), compile);
    return [...first, ...(await inStatements(db, items.slice(half), compile))];
  }
  const { rows } = await db.executeQuery<Row>(query);
  return answer(rows[0] ?? {});
}
