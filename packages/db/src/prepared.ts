import { type Compilable, type CompiledQuery, createQueryId, type Kysely, type QueryResult } from 'kysely';
import { nameStatement } from './statement-names.js';

/**
 * A query Kysely builds and compiles once per database and set of value names, then runs with new
 * values. Profiling the gateway showed building and compiling a small statement costing about as
 * much CPU as SQLite takes to run it, for the same SQL text every time. On SQLite the text meets
 * the prepared-statement cache of `openDatabase`; on PostgreSQL it runs as a named prepared
 * statement, parsed and planned once per connection.
 *
 * `build` is called with placeholders in place of the values, so it must use each value only as a
 * bound value (in `values`, `set`, a comparison or an arithmetic operand): never in a list (`in`),
 * as a literal (`sql.lit`, `sql.raw`), or to choose what the query looks like. The query's shape
 * follows the names of the values given; an undefined value is left out, as Kysely leaves it out
 * of `values` and `set`. A value used as a literal is refused when the query is first compiled.
 */
export function preparedQuery<DB, V extends object, O>(
  build: (db: Kysely<DB>, values: V) => Compilable<O>,
): (db: Kysely<DB>, values: V) => Promise<QueryResult<O>> {
  // Per database (its adapter, shared by the Kysely instance and its transactions).
  const byDatabase = new WeakMap<object, Map<string, Shape<O>>>();
  return (db, given) => {
    const values = given as Record<string, unknown>;
    const executor = db.getExecutor();
    // A plugin may rewrite queries or results per call: nothing compiled can be kept for it.
    if (executor.plugins.length > 0) return db.executeQuery(build(db, given));
    let shapes = byDatabase.get(executor.adapter);
    if (!shapes) {
      shapes = new Map();
      byDatabase.set(executor.adapter, shapes);
    }
    let names = '';
    for (const name in values) if (values[name] !== undefined) names += `${name},`;
    let shape = shapes.get(names);
    if (!shape) {
      // The same names in another order make the same query.
      const sorted = `${names.slice(0, -1).split(',').sort().join(',')},`;
      shape = shapes.get(sorted);
      if (!shape) {
        if (shapes.size >= MAX_SHAPES) return db.executeQuery(build(db, given));
        try {
          shape = compileShape(db, build, sorted === ',' ? [] : sorted.slice(0, -1).split(','));
        } catch (err) {
          return Promise.reject(err);
        }
        shapes.set(sorted, shape);
      }
      if (shapes.size < MAX_SHAPES) shapes.set(names, shape);
    }
    const parameters = new Array<unknown>(shape.slots.length);
    for (let i = 0; i < parameters.length; i++) {
      const slot = shape.slots[i]!;
      parameters[i] = typeof slot === 'string' ? values[slot] : slot.constant;
    }
    const compiled: CompiledQuery<O> = {
      sql: shape.sql,
      query: shape.query,
      queryId: createQueryId(),
      parameters,
    };
    return db.executeQuery(compiled);
  };
}

/** How many shapes (name sets, in any order) one prepared query keeps per database. */
const MAX_SHAPES = 16;

// A string no caller's value is: the placeholder of value `name` while the query is compiled.
const MARK = '\u0000paystream-value:';

interface Shape<O> {
  sql: string;
  query: CompiledQuery<O>['query'];
  /** Per parameter: the name of the value bound there, or a constant the build put there. */
  slots: readonly (string | { constant: unknown })[];
}

function compileShape<DB, V, O>(
  db: Kysely<DB>,
  build: (db: Kysely<DB>, values: V) => Compilable<O>,
  names: readonly string[],
): Shape<O> {
  const placeholders = Object.fromEntries(names.map((n) => [n, `${MARK}${n}`])) as V;
  const { sql, query, parameters } = build(db, placeholders).compile();
  if (sql.includes(MARK)) {
    const shown = sql.replaceAll(MARK, ':');
    throw new Error(`preparedQuery: a value is used as a literal, not a bound parameter: ${shown}`);
  }
  const slots = parameters.map((p) =>
    typeof p === 'string' && p.startsWith(MARK) ? p.slice(MARK.length) : { constant: p },
  );
  nameStatement(sql);
  return { sql, query, slots };
}
