import { describe, expect, it } from 'vitest';
import { paymentEvents } from './backlog.js';
import { floorRows } from './floor-consumer.js';

describe('floorRows', () => {
  it("writes the ledger's rows for a batch: a fact per event, an order per create, an entry and its postings per payment", () => {
    const events = paymentEvents('fl', 2) as unknown as Parameters<typeof floorRows>[0];
    const rows = floorRows(events, '2026-01-01T00:00:00.000Z');
    expect(rows.events.key).toEqual(['created:fl-0', 'payment:fl-0', 'created:fl-1', 'payment:fl-1']);
    expect(rows.orders.no).toEqual(['fl-0', 'fl-1']);
    expect(rows.entries.key).toEqual(['payment:fl-0', 'payment:fl-1']);
    expect(rows.postings.side).toEqual(['debit', 'credit', 'debit', 'credit']);
    expect(rows.postings.entry[0]).toMatch(/^le_[0-9a-f]{32}$/);
    // One balance row per account, summed over the batch, debits equal to credits.
    expect(rows.balances).toHaveLength(2);
    const debit = rows.balances.reduce((n, b) => n + b.debit, 0);
    const credit = rows.balances.reduce((n, b) => n + b.credit, 0);
    expect(debit).toBe(100 + 101);
    expect(credit).toBe(debit);
  });

  it('keeps the first of two events for one fact, as the ledger does', () => {
    const [created, paid] = paymentEvents('dup', 1) as unknown as Parameters<typeof floorRows>[0];
    const rows = floorRows([created!, paid!, { ...paid!, id: 'another' }], 'now');
    expect(rows.events.key).toEqual(['created:dup-0', 'payment:dup-0']);
    expect(rows.entries.eventId).toEqual([paid!.id]);
  });
});
