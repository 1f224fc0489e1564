import { describe, expect, it } from 'vitest';
import { OUTBOX_TABLE } from './migrations.js';
import { outboxLockKey } from './table-relay.js';

describe('outboxLockKey', () => {
  it('derives the second key from the table name by FNV-1a, as a signed 32-bit integer', () => {
    // FNV-1a("a") = 0xe40c292c, the published test vector, read as int4.
    expect(outboxLockKey('a')).toEqual([0x7061_7973, 0xe40c292c | 0]);
    // Pinned: every process and every release must take the same lock for a table.
    expect(outboxLockKey(OUTBOX_TABLE)).toEqual([0x7061_7973, 729321019]);
    expect(outboxLockKey('paystream_plugin_outbox')).toEqual([0x7061_7973, 1567359615]);
  });

  it('gives each table a lock of its own, within PostgreSQL int4', () => {
    const tables = [OUTBOX_TABLE, 'paystream_plugin_outbox', 'paystream_outbox2', 'b'];
    const keys = tables.map((t) => outboxLockKey(t)[1]);
    expect(new Set(keys).size).toBe(tables.length);
    for (const k of [...keys, outboxLockKey('')[0]])
      expect(Number.isInteger(k) && k >= -(2 ** 31) && k < 2 ** 31).toBe(true);
  });
});
