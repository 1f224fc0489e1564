// The contract: for every entry of the catalog, make the code happen against the sandbox over
// real HTTP (by the aggregator's rule where one exists, by the fault control otherwise) and
// check the client reports exactly that code and that entry.
import { type CatalogEntry, catalog, type Operation } from '@paystream/codes';
import type { CallOperation, UpstreamResult } from '@paystream/upstream-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cents, type Harness, startHarness } from './__fixtures__/harness.js';
import { SANDBOX_DEV_CREDENTIALS } from './app.js';

type Scenario = { by: 'rule' | 'fault'; run: (h: Harness) => Promise<UpstreamResult<unknown>> };

const entryKey = (e: CatalogEntry) => (e.meaning ? `${e.code}:${e.meaning}` : e.code);

const DISABLED_USER = {
  userConfirmKey: 'ck-disabled-user',
  privateKey: 'pk-disabled-user',
  userActive: false,
};
const DISABLED_MERCHANT = {
  userConfirmKey: 'ck-disabled-mch',
  privateKey: 'pk-disabled-mch',
  merchantActive: false,
};
const NO_WECHATHK = {
  userConfirmKey: 'ck-no-hk',
  privateKey: 'pk-no-hk',
  wallets: ['WECHATCN', 'Alipay'] as const,
};

const rule = (run: Scenario['run']): Scenario => ({ by: 'rule', run });

/** A valid create that the sandbox would accept, as wire parameters (for sendRaw). */
const rawCreate = (h: Harness, over: Record<string, unknown>) =>
  h.client.sendRaw('create', {
    out_trade_no: h.nextNo('raw'),
    paytype: 'WeChat',
    wallet: 'WECHATHK',
    currency: 'HKD',
    transaction_amount: '10.00',
    notify_url: 'http://127.0.0.1:9/n',
    ...over,
  });

async function paidOrder(h: Harness, amount = 1000) {
  const no = await h.createOrder({ amount });
  expect((await h.pay(no)).status).toBe(200);
  return no;
}

const refund = (h: Harness, outTradeNo: string, refundNo: string, amount: number, orderAmount?: number) =>
  h.client.refundPayment({
    outTradeNo,
    refundNo,
    amount: cents(amount),
    currency: 'HKD',
    ...(orderAmount !== undefined ? { orderAmount: cents(orderAmount) } : {}),
  });

/** Codes a rule of the aggregator produces. */
const RULES: Record<string, Scenario> = {
  '00': rule((h) =>
    h.client.createPayment({
      outTradeNo: h.nextNo(),
      amount: cents(2),
      currency: 'CNY',
      wallet: 'ALIPAYHK',
      notifyUrl: 'http://127.0.0.1:9/n',
    }),
  ),
  '-11': rule((h) =>
    h.clientWith({ ...SANDBOX_DEV_CREDENTIALS, privateKey: '' }).queryPayment({ outTradeNo: 'x' }),
  ),
  '-12': rule((h) =>
    h
      .clientWith({ ...SANDBOX_DEV_CREDENTIALS, userConfirmKey: 'not-a-key' })
      .queryPayment({ outTradeNo: 'x' }),
  ),
  '-13': rule((h) => h.client.sendRaw('create', '{"out_trade_no": "broken"')),
  '-22': rule((h) => rawCreate(h, { transaction_amount: '10.001' })),
  '-23': rule((h) =>
    h.client.createPayment({
      outTradeNo: h.nextNo(),
      amount: cents(6_000_001),
      currency: 'HKD',
      wallet: 'WECHATHK',
      notifyUrl: 'http://127.0.0.1:9/n',
    }),
  ),
  '-54': rule(async (h) => refund(h, await paidOrder(h), h.nextNo('rf'), 0)),
  '-55': rule(async (h) => {
    const no = await paidOrder(h);
    expect((await h.client.cancelPayment({ outTradeNo: no })).outcome).toBe('success');
    return refund(h, no, h.nextNo('rf'), 100);
  }),
  '-99:duplicate': rule(async (h) => {
    // Two creates with one out_trade_no at the same time: the second meets the first in flight.
    const outTradeNo = h.nextNo('race');
    await h.fault({ operation: 'create', delayMs: 300 });
    const input = {
      outTradeNo,
      amount: cents(500),
      currency: 'HKD',
      wallet: 'WECHATCN',
      notifyUrl: 'http://127.0.0.1:9/n',
    } as const;
    const first = h.client.createPayment(input);
    await new Promise((r) => setTimeout(r, 50));
    const second = await h.client.createPayment(input);
    expect((await first).outcome).toBe('success');
    return second;
  }),
  '01': rule((h) =>
    h.client.createPayment({
      outTradeNo: h.nextNo(),
      amount: cents(100),
      currency: 'HKD',
      wallet: 'WECHATHK',
      notifyUrl: '',
    }),
  ),
  '02': rule((h) => rawCreate(h, { paytype: 'WeChat', wallet: 'Alipay' })),
  '03': rule(async (h) => {
    const no = await h.createOrder();
    return h.client.createPayment({
      outTradeNo: no,
      amount: cents(1000),
      currency: 'HKD',
      wallet: 'WECHATHK',
      notifyUrl: 'http://127.0.0.1:9/n',
    });
  }),
  '04': rule(async (h) => h.client.queryPayment({ outTradeNo: await h.createOrder(), wallet: 'ALIPAYHK' })),
  '05': rule(async (h) => h.client.queryRefund({ outTradeNo: await paidOrder(h), refundNo: 'never-made' })),
  '06': rule((h) => rawCreate(h, { discount: '1.00' })),
  '10': rule((h) =>
    h
      .clientWith({ ...SANDBOX_DEV_CREDENTIALS, privateKey: 'wrong-private-key' })
      .queryPayment({ outTradeNo: 'x' }),
  ),
  '11': rule((h) =>
    h.clientWith({ ...SANDBOX_DEV_CREDENTIALS, userConfirmKey: '' }).queryPayment({ outTradeNo: 'x' }),
  ),
  '12': rule((h) =>
    h
      .clientWith(SANDBOX_DEV_CREDENTIALS, { now: () => new Date(Date.now() + 10 * 60_000) })
      .queryPayment({ outTradeNo: 'x' }),
  ),
  '13': rule((h) =>
    h.client.sendRaw('query', { querytype: 'OUT_TRADE', out_trade_no: 'x', timestamp: '2025-01-31' }),
  ),
  '14': rule(async (h) => {
    const no = await paidOrder(h);
    expect((await refund(h, no, `${no}-r`, 100)).outcome).toBe('success');
    return refund(h, no, `${no}-r`, 100);
  }),
  '15': rule(async (h) => {
    const no = await h.createOrder();
    expect((await h.client.closePayment({ outTradeNo: no })).outcome).toBe('success');
    return refund(h, no, h.nextNo('rf'), 100);
  }),
  '16': rule(async (h) => refund(h, await h.createOrder(), h.nextNo('rf'), 100)),
  '17': rule(async (h) => refund(h, await paidOrder(h, 1000), h.nextNo('rf'), 100, 999)),
  '18': rule(async (h) => {
    const no = await paidOrder(h, 1000);
    expect((await refund(h, no, h.nextNo('rf'), 600)).outcome).toBe('success');
    return refund(h, no, h.nextNo('rf'), 401);
  }),
  '19': rule((h) => h.client.sendRaw('query', { querytype: 'TRADE_NO', out_trade_no: 'x' })),
  '20': rule((h) => rawCreate(h, { paytype: 'UnionPay' })),
  '22': rule((h) => h.clientWith(DISABLED_USER).queryPayment({ outTradeNo: 'x' })),
  '23': rule((h) => h.clientWith(DISABLED_MERCHANT).queryPayment({ outTradeNo: 'x' })),
  '30': rule((h) =>
    h.clientWith(NO_WECHATHK).createPayment({
      outTradeNo: h.nextNo(),
      amount: cents(100),
      currency: 'HKD',
      wallet: 'WECHATHK',
      notifyUrl: 'http://127.0.0.1:9/n',
    }),
  ),
  '31': rule((h) => h.client.queryPayment({ outTradeNo: 'no-such-order' })),
  '53': rule(async (h) => {
    const a = await paidOrder(h);
    const b = await paidOrder(h);
    expect((await refund(h, a, `${a}-r`, 100)).outcome).toBe('success');
    return refund(h, b, `${a}-r`, 100);
  }),
  '54': rule(async (h) => h.client.closePayment({ outTradeNo: await paidOrder(h) })),
  '55': rule(async (h) => {
    const no = await h.createOrder();
    h.advanceClock(24 * 60 * 60 * 1000);
    return h.client.closePayment({ outTradeNo: no });
  }),
  '56': rule((h) => rawCreate(h, { currency: 'USD' })),
};

/** Drives one operation with valid input, so only an injected fault can make it fail. */
async function callOperation(h: Harness, op: CallOperation): Promise<UpstreamResult<unknown>> {
  switch (op) {
    case 'create':
      return h.client.createPayment({
        outTradeNo: h.nextNo(),
        amount: cents(100),
        currency: 'HKD',
        wallet: 'WECHATHK',
        notifyUrl: 'http://127.0.0.1:9/n',
      });
    case 'query':
      return h.client.queryPayment({ outTradeNo: await h.createOrder() });
    case 'refund':
      return refund(h, await paidOrder(h), h.nextNo('rf'), 100);
    case 'cancel':
      return h.client.cancelPayment({ outTradeNo: await paidOrder(h) });
    case 'close':
      return h.client.closePayment({ outTradeNo: await h.createOrder() });
  }
}

/** Codes only a failure behind the aggregator causes: forced with POST /__sandbox/faults. */
function faultScenario(entry: CatalogEntry): Scenario {
  const op = entry.operations.find((o): o is CallOperation => o !== 'notify') as CallOperation;
  return {
    by: 'fault',
    async run(h) {
      // Prepare first (orders to refund, cancel, close), then arm the fault for the call itself.
      const setup = await prepare(h, op);
      await h.fault({ code: entry.code, operation: op as Operation });
      return setup();
    },
  };
}

async function prepare(h: Harness, op: CallOperation): Promise<() => Promise<UpstreamResult<unknown>>> {
  if (op === 'create') return () => callOperation(h, 'create');
  const no = op === 'refund' || op === 'cancel' ? await paidOrder(h) : await h.createOrder();
  switch (op) {
    case 'query':
      return () => h.client.queryPayment({ outTradeNo: no });
    case 'refund':
      return () => refund(h, no, h.nextNo('rf'), 100);
    case 'cancel':
      return () => h.client.cancelPayment({ outTradeNo: no });
    case 'close':
      return () => h.client.closePayment({ outTradeNo: no });
  }
}

/** Codes with no rule behind them in the sandbox, by design (see README). */
const FAULT_ONLY = new Set([
  '-1',
  '-53',
  '-99:system',
  '09',
  '21',
  '24',
  '25',
  '29',
  '40',
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '47',
  '48',
  '49',
  '50',
  '51',
  '52',
  '57',
  '58',
  '59',
  '60',
  '61',
  '62',
  '64',
  '80',
]);

function scenarioFor(entry: CatalogEntry): Scenario | undefined {
  const key = entryKey(entry);
  return RULES[key] ?? (FAULT_ONLY.has(key) ? faultScenario(entry) : undefined);
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ merchants: [DISABLED_USER, DISABLED_MERCHANT, NO_WECHATHK] });
});
afterAll(async () => {
  await h.close();
});

describe('every catalog entry is produced by the sandbox and recognised by the client', () => {
  it('has a scenario for each of the 63 entries (lists any that has none)', () => {
    expect(catalog).toHaveLength(63);
    const missing = catalog.filter((e) => !scenarioFor(e)).map(entryKey);
    expect(missing).toEqual([]);
  });

  it('produces each code by a rule wherever the aggregator has one', () => {
    const byRule = catalog.filter((e) => scenarioFor(e)?.by === 'rule').map(entryKey);
    expect(byRule.length).toBe(Object.keys(RULES).length);
    expect(byRule.length + FAULT_ONLY.size).toBe(63);
  });

  for (const entry of catalog) {
    const key = entryKey(entry);
    const scenario = scenarioFor(entry);
    it.skipIf(!scenario)(`${key} (${scenario?.by}): ${entry.messageEn}`, async () => {
      h.sandbox.faults.clear();
      const result = await scenario!.run(h);
      if (result.outcome === 'unknown') throw new Error(`unknown outcome: ${result.reason} ${result.error}`);
      expect(result.code).toBe(entry.code);
      expect(result.outcome).toBe(entry.code === '00' ? 'success' : 'rejected');
      expect(result.entry).toEqual(entry);
      expect(result.entry.ambiguous).toBeUndefined();
    });
  }
});
