// A batch's statements in as few round trips as the database allows. On PostgreSQL every read of a
// batch goes in one select (each read's rows as a JSON array) and every write in one statement of
// data-modifying CTEs; SQLite runs in the process, so there each statement simply runs in turn.
//
// On PostgreSQL a multi-row insert also sends its rows as one JSON parameter (json_to_recordset)
// instead of a VALUES list of one parameter per value: planning a statement of several CTEs with
// VALUES lists of hundreds of rows took PostgreSQL about 20 ms for a batch of 250 payments (entries
// and postings), more than running it; with the rows in JSON it plans in a tenth of a millisecond.
import { isPostgres, type Kysely } from '@paystream/db';
import type { BatchStatement } from '@paystream/plugin-sdk';
import { type CompiledQuery, type OperationNode, type RawBuilder, sql } from 'kysely';

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
export async function writeAll(db: AnyDb, given: readonly BatchStatement[]): Promise<void> {
  if (given.length === 0) return;
  if (!isPostgres(db)) {
    for (const write of given) await run(db, write);
    return;
  }
  const writes = await withJsonRows(db, given);
  if (writes.length === 1) {
    await db.executeQuery(sql`${writes[0]!}`.compile(db));
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

/** An insert whose rows are plain values, as {@link withJsonRows} can send them. */
interface PlainInsert {
  table: string;
  columns: string[];
  rows: Record<string, unknown>[];
  node: OperationNode & { values?: OperationNode };
}

/** The insert's table, columns and rows, when every value is one JSON carries as PostgreSQL would read it. */
function plainInsert(statement: BatchStatement): PlainInsert | undefined {
  const node = statement.toOperationNode() as {
    kind: string;
    into?: { table: { schema?: { name: string }; identifier: { name: string } } };
    columns?: readonly { column: { name: string } }[];
    values?: { kind: string; values: readonly { kind: string; values: readonly unknown[] }[] };
  };
  if (node.kind !== 'InsertQueryNode' || !node.into || !node.columns || node.values?.kind !== 'ValuesNode')
    return undefined;
  if (node.into.table.schema) return undefined;
  const columns = node.columns.map((c) => c.column.name);
  const rows: Record<string, unknown>[] = [];
  for (const list of node.values.values) {
    let values: readonly unknown[];
    if (list.kind === 'PrimitiveValueListNode') values = list.values;
    else if (list.kind === 'ValueListNode') {
      const nodes = list.values as readonly { kind: string; value?: unknown }[];
      if (!nodes.every((v) => v.kind === 'ValueNode')) return undefined;
      values = nodes.map((v) => v.value);
    } else return undefined;
    if (!values.every(plainValue) || values.length !== columns.length) return undefined;
    rows.push(Object.fromEntries(columns.map((c, i) => [c, values[i]])));
  }
  return { table: node.into.table.identifier.name, columns, rows, node: node as PlainInsert['node'] };
}

// What the pg driver would send as the value's own text: strings, finite numbers, booleans, null.
// Dates, arrays, buffers and the like keep their statement as it is (pg formats them its own way).
const plainValue = (v: unknown) =>
  v === null ||
  typeof v === 'string' ||
  typeof v === 'boolean' ||
  (typeof v === 'number' && Number.isFinite(v));

/** Column types by table, per database (its adapter): read from the catalog once per table. */
const columnTypes = new WeakMap<object, Map<string, Map<string, string>>>();

/**
 * The writes, each insert of plain values rewritten as `insert … select … from json_to_recordset($1)`
 * with every value cast to its column's type (read from the catalog the first time a table is met,
 * in one more statement), so PostgreSQL checks and converts each value as it would a parameter.
 */
async function withJsonRows(db: AnyDb, writes: readonly BatchStatement[]): Promise<BatchStatement[]> {
  const inserts = writes.map(plainInsert);
  if (inserts.every((i) => i === undefined)) return [...writes];
  const adapter = db.getExecutor().adapter;
  let known = columnTypes.get(adapter);
  if (!known) {
    known = new Map();
    columnTypes.set(adapter, known);
  }
  const missing = [...new Set(inserts.flatMap((i) => (i && !known!.has(i.table) ? [i.table] : [])))];
  if (missing.length > 0) {
    const { rows } = await sql<{ table_name: string; column_name: string; type: string }>`
      select t.name as table_name, a.attname as column_name, format_type(a.atttypid, null) as type
      from unnest(${missing}::text[]) as t(name)
      join pg_attribute a on a.attrelid = quote_ident(t.name)::regclass
      where a.attnum > 0 and not a.attisdropped`.execute(db);
    for (const table of missing) known.set(table, new Map());
    for (const r of rows) known.get(r.table_name)!.set(r.column_name, r.type);
  }
  return writes.map((write, i) => {
    const insert = inserts[i];
    const types = insert && known!.get(insert.table);
    if (!insert || !types || !insert.columns.every((c) => types.has(c))) return write;
    const values: RawBuilder<unknown> = sql`select ${sql.join(
      insert.columns.map((c) => sql`r.${sql.ref(c)}::${sql.raw(types.get(c)!)}`),
    )} from json_to_recordset(${JSON.stringify(insert.rows)}::json) as r(${sql.join(
      insert.columns.map((c) => sql`${sql.ref(c)} text`),
    )})`;
    const node = { ...insert.node, values: values.toOperationNode() };
    const rewritten: BatchStatement = {
      toOperationNode: () => node,
      compile: () => sql`${rewritten}`.compile(db),
    };
    return rewritten;
  });
}
