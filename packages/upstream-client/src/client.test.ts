// The client against a plain node:http server that answers whatever each test needs: how it
// signs, and how it reports answers it cannot trust (never as a rejection, never with a secret).
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { catalog } from '@paystream/codes';
import { minorUnits } from '@paystream/money';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpstreamClient } from './client.js';
import { hmacSha256Signer } from './signer.js';
import type { ResultInfo, UpstreamClient } from './types.js';

const credentials = { userConfirmKey: 'ck-test-123', privateKey: 'pk-test-456' };
let server: Server;
let client: UpstreamClient;
let handler: (body: Record<string, unknown>, res: ServerResponse) => void;
const sockets = new Set<unknown>();
const results: ResultInfo[] = [];

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
};

beforeAll(async () => {
  server = createServer(async (req, res) => handler(await readBody(req), res));
  server.on('connection', (s) => sockets.add(s));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  client = createUpstreamClient({
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    credentials,
    timeoutMs: 200,
    now: () => new Date('2025-01-31T16:30:05Z'),
    hooks: { onResult: (info) => results.push(info) },
  });
});
afterAll(async () => {
  await client.destroy();
  server.closeAllConnections();
  server.close();
});

const reply = (json: unknown) => (_: unknown, res: ServerResponse) => {
  res.setHeader('content-type', 'application/json');
  res.end(typeof json === 'string' ? json : JSON.stringify(json));
};

const create = () =>
  client.createPayment({
    outTradeNo: 'T1',
    amount: minorUnits(1234),
    currency: 'HKD',
    wallet: 'ALIPAYHK',
    notifyUrl: 'http://127.0.0.1/n',
  });

describe('createUpstreamClient', () => {
  it('sends decimal amounts, wire wallet fields, the HK timestamp and a valid signature', async () => {
    let seen: Record<string, unknown> = {};
    handler = (body, res) => {
      seen = body;
      reply({ code: '31', msg: 'Order does not exist' })(body, res);
    };
    await create();
    expect(seen).toMatchObject({
      out_trade_no: 'T1',
      transaction_amount: '12.34',
      currency: 'HKD',
      paytype: 'Alipay',
      wallet: 'Alipay',
      wallet_region: 'HK',
      User_Confirm_Key: credentials.userConfirmKey,
      timestamp: '20250201003005',
      sign_type: 'HMAC-SHA256',
    });
    expect(seen).not.toHaveProperty('private_key');
    expect(hmacSha256Signer.verify(seen, credentials.privateKey, String(seen.sign))).toBe(true);
  });

  it('reports every upstream code as rejected with its catalog entry, never throwing', async () => {
    for (const entry of catalog.filter((e) => e.code !== '00')) {
      handler = reply({ code: entry.code, msg: entry.messageEn });
      const result = await client.queryPayment({ outTradeNo: 'T1' });
      expect(result).toEqual({ outcome: 'rejected', code: entry.code, entry, message: entry.messageEn });
    }
  });

  it('keeps a code the appendix does not list, described as unknown', async () => {
    handler = reply({ code: '77', msg: 'new' });
    const result = await client.queryPayment({ outTradeNo: 'T1' });
    expect(result).toMatchObject({
      outcome: 'rejected',
      code: '77',
      entry: { known: false, retry: 'after_query' },
    });
  });

  it.each([
    ['not JSON', 'oops'],
    ['no code', { msg: 'hi' }],
    ['00 with data that breaks the contract', { code: '00', msg: 'Success', data: { out_trade_no: 'T1' } }],
    [
      '00 with a float amount',
      {
        code: '00',
        data: {
          out_trade_no: 'T1',
          trade_no: 'U1',
          qr_code: 'q',
          pay_url: 'p',
          transaction_amount: '12.345',
          currency: 'HKD',
          paytype: 'Alipay',
          wallet: 'Alipay',
          created_at: 'now',
        },
      },
    ],
  ])('reports %s as unknown/bad_response', async (_name, json) => {
    handler = reply(json);
    expect(await create()).toMatchObject({ outcome: 'unknown', reason: 'bad_response' });
  });

  it('reports no answer within timeoutMs as unknown/timeout, and calls the onResult hook', async () => {
    handler = () => undefined;
    results.length = 0;
    const result = await create();
    expect(result).toMatchObject({ outcome: 'unknown', reason: 'timeout' });
    expect(results).toEqual([
      { operation: 'create', code: null, outcome: 'unknown', durationMs: expect.any(Number) },
    ]);
  });

  it('reports a caller abort as unknown (the request may have gone out)', async () => {
    handler = () => undefined;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const result = await client.queryPayment({ outTradeNo: 'T1' }, { signal: controller.signal });
    expect(result).toMatchObject({ outcome: 'unknown', reason: 'network', error: 'aborted by caller' });
  });

  it('reuses keep-alive connections instead of opening one per call', async () => {
    handler = reply({ code: '31', msg: 'x' });
    // Warm-up: undici may open a second socket while the first is being released to the pool.
    await client.queryPayment({ outTradeNo: 'T1' });
    await client.queryPayment({ outTradeNo: 'T1' });
    const before = sockets.size;
    for (let i = 0; i < 5; i++) await client.queryPayment({ outTradeNo: 'T1' });
    expect(sockets.size).toBe(before);
  });

  it('redacts secrets an upstream echoes back', async () => {
    handler = reply({ code: '-12', msg: `key ${credentials.userConfirmKey} / ${credentials.privateKey}` });
    const result = await client.queryPayment({ outTradeNo: 'T1' });
    expect(JSON.stringify(result)).not.toContain(credentials.userConfirmKey);
    expect(JSON.stringify(result)).not.toContain(credentials.privateKey);
  });
});
