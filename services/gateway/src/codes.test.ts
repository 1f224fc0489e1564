// For every entry of the catalog, a request through the gateway that provokes it (the sandbox's
// fault control arms the code for the operation) answers that code in problem+json with the HTTP
// status the catalog gives, and puts an event carrying the code on the bus.
import { type CatalogEntry, catalog, type Operation } from '@paystream/codes';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBody, type Harness, startHarness } from './__fixtures__/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ transport: 'embedded', database: 'sqlite' });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.sandbox.faults.clear();
});

type CallOp = Exclude<Operation, 'notify'>;
const FAILED_EVENT: Record<CallOp, string> = {
  create: 'payment.failed',
  query: 'payment.query_failed',
  refund: 'refund.failed',
  cancel: 'payment.cancel_failed',
  close: 'payment.close_failed',
};

const label = (e: CatalogEntry) => (e.meaning ? `${e.code} (${e.meaning})` : e.code);

/** Prepares an order the operation can run on, arms the fault, and sends the gateway request. */
async function provoke(entry: CatalogEntry, op: CallOp) {
  const no = h.nextNo(`c${entry.code}`);
  if (op !== 'create') {
    expect((await h.post('/v1/payments', createBody(no))).status).toBe(201);
    if (op === 'refund' || op === 'cancel') expect((await h.pay(no)).status).toBe(200);
  }
  await h.fault({ code: entry.code, operation: op, message: entry.messageEn });
  switch (op) {
    case 'create':
      return { no, res: await h.post('/v1/payments', createBody(no)) };
    case 'query':
      return { no, res: await h.get(`/v1/payments/${no}`) };
    case 'refund':
      return { no, res: await h.post(`/v1/payments/${no}/refunds`, { refundNo: `${no}-r`, amount: '1.00' }) };
    case 'cancel':
      return { no, res: await h.post(`/v1/payments/${no}/cancel`) };
    case 'close':
      return { no, res: await h.post(`/v1/payments/${no}/close`) };
  }
}

describe('every catalog code comes back through the gateway as problem+json and as an event', () => {
  it('covers all 63 entries', () => {
    expect(catalog).toHaveLength(63);
  });

  it('00: the resource, and payment.created', async () => {
    const no = h.nextNo('c00');
    const res = await h.post('/v1/payments', createBody(no));
    expect(res.status).toBe(201);
    expect((await h.eventsFor(no)).map((e) => [e.type, e.data.code])).toEqual([['payment.created', '00']]);
  });

  for (const entry of catalog.filter((e) => e.code !== '00')) {
    const op = entry.operations.find((o): o is CallOp => o !== 'notify')!;
    it(`${label(entry)} on ${op}: HTTP ${entry.httpStatus}, ${entry.category}`, async () => {
      const { no, res } = await provoke(entry, op);
      if (op === 'query') {
        // A read answers the record it holds, marked stale, with the code the query met.
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          outTradeNo: no,
          status: 'pending',
          stale: true,
          queryCode: entry.code,
        });
        const last = (await h.eventsFor(no)).at(-1);
        expect(last?.type).toBe('payment.query_failed');
        expect(last?.data).toMatchObject({ code: entry.code, category: entry.category, operation: 'query' });
        return;
      }
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.status).toBe(entry.httpStatus);
      expect(res.body).toMatchObject({
        code: entry.code,
        category: entry.category,
        title: entry.messageEn,
        status: entry.httpStatus,
      });
      const events = await h.eventsFor(no);
      const last = events.at(-1);
      expect(last?.type).toBe(FAILED_EVENT[op]);
      expect(last?.data).toMatchObject({ code: entry.code, category: entry.category, operation: op });
    });
  }
});
