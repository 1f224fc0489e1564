// Whether a database error is the database being away (unreachable, restarting, failing over,
// out of connections) rather than the statement being refused. The first kind ends by itself and
// the same statement then succeeds, so a consumer retries it for as long as it lasts; the second
// would fail the same way every time.

// Node's socket errors when the server cannot be reached or drops the connection.
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

// PostgreSQL's SQLSTATEs of the same: class 08 (connection exception), the server shutting down or
// starting (57P01–57P03), too many connections (53300); SQLite's file locked by another writer
// longer than busy_timeout.
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300', 'SQLITE_BUSY']);

// node-postgres reports a connection lost mid-query, or a connect that timed out, as a plain Error.
const PG_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error/,
];

/** True when `err` (or an error it wraps) says the database is unavailable, not that it refused the statement. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  const check = (e: unknown): boolean => {
    if (!e || typeof e !== 'object' || seen.has(e)) return false;
    seen.add(e);
    const { code, message, cause, errors } = e as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (
      typeof code === 'string' &&
      (SOCKET_CODES.has(code) || SERVER_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))
    )
      return true;
    if (typeof message === 'string' && PG_MESSAGES.some((m) => m.test(message))) return true;
    if (Array.isArray(errors) && errors.some(check)) return true;
    return check(cause);
  };
  return check(err);
}
