// The floor under targets 1 and 3: the least any gateway in front of the aggregator must do, as a
// process of its own started like the gateway (its `start` script's Node.js flags and memory
// settings). It answers the gateway's `POST /v1/payments` with one `createPayment` through
// @paystream/upstream-client (the gateway's own client, pool and signing), and nothing else: a
// bearer-token comparison instead of hashed API keys and scopes, `JSON.parse` instead of a schema,
// no Idempotency-Key, no database, no outbox, no events, no log line, no metrics. What the real
// gateway reaches against what this reaches, in the same rounds, is the price of its guarantees;
// what this reaches against the direct arm is what the HTTP hop alone costs on the machine.
//
//   PORT, UPSTREAM_BASE_URL, UPSTREAM_USER_CONFIRM_KEY, UPSTREAM_PRIVATE_KEY, PASS_THROUGH_TOKEN
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isCurrency, parseAmount } from '@paystream/money';
import { createUpstreamClient } from '@paystream/upstream-client';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) {
    console.error(`pass-through: ${name} is required`);
    process.exit(2);
  }
  return value;
};

const client = createUpstreamClient({
  baseUrl: env('UPSTREAM_BASE_URL'),
  // The client's default pool, as the gateway's with UPSTREAM_CONNECTIONS unset: the same sockets.
  credentials: { userConfirmKey: env('UPSTREAM_USER_CONFIRM_KEY'), privateKey: env('UPSTREAM_PRIVATE_KEY') },
});
const authorization = `Bearer ${env('PASS_THROUGH_TOKEN')}`;

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function create(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.headers.authorization !== authorization) return answer(res, 401, { title: 'unauthorized' });
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string>;
  const currency = body.currency;
  if (!isCurrency(currency)) return answer(res, 400, { title: 'currency' });
  const result = await client.createPayment({
    outTradeNo: body.outTradeNo!,
    amount: parseAmount(body.amount!, currency),
    currency,
    wallet: body.wallet as 'WECHATHK',
    notifyUrl: 'http://127.0.0.1:9/notify',
  });
  if (result.outcome !== 'success') return answer(res, 502, result);
  answer(res, 201, { outTradeNo: body.outTradeNo, status: 'pending', upstream: result });
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') return answer(res, 200, { status: 'ok' });
  if (req.method !== 'POST' || req.url !== '/v1/payments') return answer(res, 404, { title: 'not found' });
  create(req, res).catch((err: Error) => answer(res, 500, { title: err.message }));
});
server.keepAliveTimeout = 30_000;
server.listen(Number(env('PORT')), '127.0.0.1');
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void client.destroy().then(() => process.exit(0));
});
