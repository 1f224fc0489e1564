// Which handler errors the bus should wait out instead of counting toward a plugin's dead letters:
// the host's own database being away. An error that looks like it (a refused connection, one cut
// mid-query) may come from elsewhere, a connector's ERP refusing its calls, so the database is
// asked too: only when it cannot answer either does the event wait. A plugin then neither loses
// its place nor skips to the order's later events while the database restarts or fails over.
import { isDatabaseUnavailable, type Kysely, sql } from '@paystream/db';

/** The bus's `transient` test for the handlers of a host on `db`. */
export function databaseOutage(db: Kysely<unknown>): (err: unknown) => Promise<boolean> {
  return async (err) => {
    if (!isDatabaseUnavailable(err)) return false;
    try {
      await sql`select 1`.execute(db);
      return false;
    } catch (probe) {
      return isDatabaseUnavailable(probe);
    }
  };
}
