// The gateway's PostgreSQL away (a restart, a failover) while callers keep calling, the process
// alive throughout: what the callers get, and that the same requests afterwards get the truth.
// The crash-point suite kills the process at each step; here the process lives and only its
// database goes, including under a create whose upstream call has been made.
import { waitFor } from '@paystream/bus/testing';
import { afterAll, expect, it } from 'vitest';
import { createBody, type Harness, startHarness } from '../src/__fixtures__/harness.js';

let h: Harness | undefined;
afterAll(async () => {
  await h?.close();
});

const UPSTREAM_TIMEOUT_MS = 1_000;

it('answers 5xx revealing nothing while the database is away; the same keys get the truth after', {
  timeout: 60_000,
}, async () => {
  h = await startHarness({
    transport: 'embedded',
    database: 'postgres',
    databaseProxy: true,
    upstreamTimeoutMs: UPSTREAM_TIMEOUT_MS,
  });
  const proxy = h.databaseProxy!;
  const create = (no: string) => h!.post('/v1/payments', createBody(no), { 'idempotency-key': `key-${no}` });
  const before = h.nextNo();
  expect((await create(before)).status).toBe(201);

  // Away: nothing can be claimed or read. The answer says the gateway failed, and nothing of the
  // driver's error (the database's address, the socket's error) reaches the caller.
  await proxy.cut();
  const refused = h.nextNo();
  const down = await create(refused);
  expect(down.status).toBe(500);
  expect(down.body).toMatchObject({
    title: 'Internal Server Error',
    detail: 'The gateway failed to handle the request',
  });
  expect(JSON.stringify(down.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|5432/);
  expect((await h.get(`/v1/payments/${before}`)).status).toBe(500);
  const ready = await h.http.get('/readyz');
  expect(ready.status).toBe(503);
  expect(ready.body.checks.database.ok).toBe(false);
  await proxy.restore();
  // Its key was never claimed: the same request now runs.
  expect((await create(refused)).status).toBe(201);

  // Away under a create whose upstream call is made: the intent is written, the aggregator creates
  // the order, the answer cannot be stored, and neither can the key be given back.
  await h.fault({ operation: 'create', delayMs: 800 });
  const inFlight = h.nextNo();
  const pending = create(inFlight).then((r) => r);
  // The intent (written with the key's claim) is the sign the upstream call is under way.
  await waitFor('the intent of the create', () =>
    h!.db
      .selectFrom('gateway_orders')
      .select('out_trade_no')
      .where('out_trade_no', '=', inFlight)
      .executeTakeFirst(),
  );
  await proxy.cut();
  expect((await pending).status).toBe(500);
  await proxy.restore();
  // The key is still claimed by that request: the retry is told when to come back...
  const early = await create(inFlight);
  expect(early.status).toBe(409);
  expect(Number(early.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  // ...and once the claim is stale, the retry takes it over, asks the aggregator, and answers the
  // order it created, without creating another.
  await new Promise((r) => setTimeout(r, Number(early.headers['retry-after']) * 1000));
  const truth = await create(inFlight);
  expect(truth.status).toBe(201);
  const upstream = await h.controls.order(inFlight);
  expect(truth.body).toMatchObject({ outTradeNo: inFlight, status: 'pending' });
  expect(truth.body.upstreamTradeNo).toBe(upstream?.trade_no);
  const replay = await create(inFlight);
  expect(replay.headers['idempotent-replayed']).toBe('true');
  const events = await h.eventsFor(inFlight);
  expect(events.map((e) => e.type)).toEqual(['payment.created']);
});
