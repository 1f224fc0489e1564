// Secrets never reach logs, results or errors: run every kind of call with pino capturing both
// the client's and the sandbox's output, then grep everything for the configured secret values.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cents, type Harness, startHarness } from './__fixtures__/harness.js';

const SECRETS = { userConfirmKey: 'ck-SECRET-7c1e9d', privateKey: 'pk-SECRET-f00dfeed42' };
const lines: string[] = [];
const capture = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
const seen: unknown[] = [];

let h: Harness;
beforeAll(async () => {
  h = await startHarness(
    { credentials: SECRETS, logger: capture.child({ component: 'sandbox' }) },
    { logger: capture.child({ component: 'client' }), timeoutMs: 150 },
  );
});
afterAll(async () => {
  await h.close();
});

describe('secrets', () => {
  it('appear in no log line, result, message or error, whatever happens', async () => {
    const c = h.client;
    const order = await h.createOrder();
    await h.pay(order);
    seen.push(await c.queryPayment({ outTradeNo: order }));
    seen.push(await c.refundPayment({ outTradeNo: order, refundNo: 'r', amount: cents(1), currency: 'HKD' }));
    seen.push(await c.sendRaw('create', '{bad json'));
    seen.push(
      await c.sendRaw('query', { querytype: 'OUT_TRADE', out_trade_no: order, extra: SECRETS.privateKey }),
    );
    for (const code of ['22', '23', '-12', '64']) {
      await h.fault({ code, operation: 'query' });
      seen.push(await c.queryPayment({ outTradeNo: order }));
    }
    await h.fault({ operation: 'query', timeout: true });
    seen.push(await c.queryPayment({ outTradeNo: order }));
    // An upstream that echoes the secret back in its message still does not leak it.
    await h.fault({ code: '-12', operation: 'query', message: `bad key ${SECRETS.userConfirmKey}` });
    seen.push(await c.queryPayment({ outTradeNo: order }));
    seen.push(await h.clientWith({ ...SECRETS, privateKey: 'pk-other' }).queryPayment({ outTradeNo: order }));
    const dead = h.clientWith(SECRETS, { baseUrl: `http://127.0.0.1:9`, logger: capture });
    seen.push(await dead.queryPayment({ outTradeNo: order }));

    const everything = [...lines, JSON.stringify(seen)].join('\n');
    expect(lines.length).toBeGreaterThan(10);
    expect(everything).toContain('"outcome":"unknown"');
    for (const secret of Object.values(SECRETS)) expect(everything).not.toContain(secret);
  });
});
