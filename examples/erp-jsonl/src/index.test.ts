// The connector on the real ledger, in a real plugin host, with Paystream's published test kit: a
// paid and partly refunded order's entries arrive as balanced JSON lines, and a redelivery of every
// event writes nothing twice.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import createAccountingPlugin from '@paystream/accounting';
import { orderEvents, runId, startTestHost } from '@paystream/plugin-testing';
import { expect, it } from 'vitest';
import createErpJsonlPlugin, { entryLine } from './index.js';

it('writes each journal entry once, balanced, even when every event is delivered again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'erp-jsonl-'));
  const t = await startTestHost({
    plugins: [createAccountingPlugin({ reconcileIntervalMs: 0 }), createErpJsonlPlugin({ dir })],
  });
  try {
    const order = `ord-${runId()}`;
    await t.publish(orderEvents(order, { amountMinor: 2500, refundMinor: 500 }));
    const [file] = readdirSync(dir);
    const before = readFileSync(join(dir, file!), 'utf8');
    const entries = before
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // The payment and the refund: one entry each.
    expect(entries.map((e) => [e.eventType, e.outTradeNo, e.refundNo])).toEqual([
      ['payment.succeeded', order, undefined],
      ['refund.succeeded', order, 'R1'],
    ]);
    for (const e of entries) {
      const total = (side: string) =>
        e.lines
          .filter((l: { side: string }) => l.side === side)
          .reduce((s: number, l: { amountMinor: number }) => s + l.amountMinor, 0);
      expect(total('debit')).toBe(total('credit'));
    }
    expect(entries[0].lines.find((l: { side: string }) => l.side === 'debit')).toMatchObject({
      amountMinor: 2500,
      amount: '25.00',
      currency: 'HKD',
    });

    await t.replay();
    await t.settle();
    expect(readFileSync(join(dir, file!), 'utf8')).toBe(before);
  } finally {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('writes the refund number only when there is one', () => {
  const line = JSON.parse(
    entryLine({
      entryId: 'e1',
      eventId: 'ev1',
      eventType: 'payment.succeeded',
      outTradeNo: 'o1',
      wallet: 'WECHATHK',
      postedAt: '2026-01-01T00:00:00.000Z',
      postings: [
        { account: 'assets:clearing:WECHATHK', side: 'debit', amountMinor: 100, currency: 'HKD' },
        { account: 'income:payments', side: 'credit', amountMinor: 100, currency: 'HKD' },
      ],
    }),
  );
  expect(line).not.toHaveProperty('refundNo');
  expect(line.lines[0].amount).toBe('1.00');
});
