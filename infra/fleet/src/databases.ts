// The fleet's processes connect to PostgreSQL under an application_name each (a connection URL
// parameter libpq and node-postgres both read), so one process's backends can be told apart in
// pg_stat_activity and terminated, as an administrator or a failover would.
import pg from 'pg';

/** The URL with `application_name` set (SQLite URLs are returned as they are). */
export function withApplicationName(url: string, applicationName: string): string {
  if (!/^postgres(ql)?:\/\//.test(url)) return url;
  const parsed = new URL(url);
  parsed.searchParams.set('application_name', applicationName);
  return parsed.toString();
}

/**
 * pg_terminate_backend of every backend of `applicationName` on the URL's database; resolves with
 * how many were terminated.
 */
export async function terminateBackends(url: string, applicationName: string): Promise<number> {
  const client = new pg.Client({ connectionString: withApplicationName(url, 'paystream-fleet-admin') });
  await client.connect();
  try {
    const { rows } = await client.query<{ terminated: boolean }>(
      `select pg_terminate_backend(pid) as terminated from pg_stat_activity
        where application_name = $1 and datname = current_database() and pid <> pg_backend_pid()`,
      [applicationName],
    );
    return rows.filter((r) => r.terminated).length;
  } finally {
    await client.end();
  }
}

/** How many backends `applicationName` holds on the URL's database now. */
export async function countBackends(url: string, applicationName: string): Promise<number> {
  const client = new pg.Client({ connectionString: withApplicationName(url, 'paystream-fleet-admin') });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `select count(*) as n from pg_stat_activity where application_name = $1 and datname = current_database()`,
      [applicationName],
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}
