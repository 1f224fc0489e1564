// The two ways to create a payment that the ratios compare: through the gateway's HTTP API as an
// internal service calls it (a new order number and Idempotency-Key per call, as
// @paystream/client sends), and straight to the aggregator with @paystream/upstream-client.
import { minorUnits } from '@paystream/money';
import { createUpstreamClient, type UpstreamClient } from '@paystream/upstream-client';
import { SANDBOX_DEV_CREDENTIALS } from '@paystream/upstream-sandbox';
import { Pool } from 'undici';
import { BENCH_API_KEY } from './stack.js';

export interface Caller {
  create(outTradeNo: string): Promise<void>;
  close(): Promise<void>;
}

const AMOUNT = minorUnits(1234);

/**
 * Creates through the gateway; anything but 201 is a failed call. `idempotencyKey: false` sends
 * none, to tell the cost of the key's bookkeeping apart from the create's.
 */
export function gatewayCaller(
  baseUrl: string,
  connections: number,
  { idempotencyKey = true }: { idempotencyKey?: boolean } = {},
): Caller {
  const pool = new Pool(baseUrl, { connections, pipelining: 1 });
  const headers = {
    authorization: `Bearer ${BENCH_API_KEY}`,
    'content-type': 'application/json',
  };
  return {
    async create(outTradeNo) {
      const res = await pool.request({
        method: 'POST',
        path: '/v1/payments',
        headers: idempotencyKey ? { ...headers, 'idempotency-key': `idem-${outTradeNo}` } : headers,
        body: JSON.stringify({ outTradeNo, amount: '12.34', currency: 'HKD', wallet: 'WECHATHK' }),
      });
      const text = await res.body.text();
      if (res.statusCode !== 201)
        throw new Error(`gateway answered ${res.statusCode}: ${text.slice(0, 200)}`);
    },
    close: () => pool.close(),
  };
}

/**
 * Creates straight at the aggregator: the client as shipped, with its default connection pool,
 * so the direct arm is also the measure of that default.
 */
export function directCaller(upstreamUrl: string): Caller & { client: UpstreamClient } {
  const client = createUpstreamClient({ baseUrl: upstreamUrl, credentials: SANDBOX_DEV_CREDENTIALS });
  return {
    client,
    async create(outTradeNo) {
      const r = await client.createPayment({
        outTradeNo,
        amount: AMOUNT,
        currency: 'HKD',
        wallet: 'WECHATHK',
        notifyUrl: 'http://127.0.0.1:9/notify',
      });
      if (r.outcome !== 'success') throw new Error(`direct create: ${JSON.stringify(r).slice(0, 200)}`);
    },
    close: () => client.destroy(),
  };
}
