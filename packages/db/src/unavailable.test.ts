import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from './unavailable.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['the server refusing connections', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a connection reset', withCode('ECONNRESET')],
    ['node-postgres losing the connection mid-query', new Error('Connection terminated unexpectedly')],
    ['a pool connect timing out', new Error('timeout exceeded when trying to connect')],
    ['SQLSTATE 08006 (connection failure)', withCode('08006')],
    [
      'SQLSTATE 57P01 (the server shutting down)',
      withCode('57P01', 'terminating connection due to administrator command'),
    ],
    ['SQLSTATE 57P03 (the server starting)', withCode('57P03', 'the database system is starting up')],
    ['SQLSTATE 53300 (too many connections)', withCode('53300')],
    ['SQLite busy past its timeout', withCode('SQLITE_BUSY', 'database is locked')],
    [
      'both addresses of localhost refusing',
      Object.assign(new AggregateError([withCode('ECONNREFUSED')]), {}),
    ],
    ['a wrapped cause', new Error('query failed', { cause: withCode('ECONNRESET') })],
  ])('is true for %s', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    ['a unique violation (23505)', withCode('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error (42601)', withCode('42601')],
    ['a check violation (23514)', withCode('23514')],
    ['a plain handler error', new Error('amount does not balance')],
    ['SQLite constraint', withCode('SQLITE_CONSTRAINT_PRIMARYKEY')],
    ['not an error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('is false for %s', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });

  it('follows a cycle of causes without looping', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(isDatabaseUnavailable(a)).toBe(false);
  });
});
