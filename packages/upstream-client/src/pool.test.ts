// The connection pool: `connections` bounds the sockets (and so the calls in flight), the rest
// wait in line, and `poolStats()` shows the line. The server holds every answer until the test
// has looked, so what is in flight and what is queued is decided by the test, not by timing.
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { minorUnits } from '@paystream/money';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createUpstreamClient } from './client.js';
import type { UpstreamClient } from './types.js';

const credentials = { userConfirmKey: 'ck-test-123', privateKey: 'pk-test-456' };

interface HoldingServer {
  server: Server;
  url: string;
  sockets: Set<Socket>;
  held: ServerResponse[];
  /** The most requests the server had open at once. */
  maxInFlight: number;
  /** Answers every held request and, from now on, each new one at once. */
  release(): void;
}

async function holdingServer(): Promise<HoldingServer> {
  let releasing = false;
  let inFlight = 0;
  const state = { maxInFlight: 0 };
  const held: ServerResponse[] = [];
  const sockets = new Set<Socket>();
  const answer = (res: ServerResponse) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ code: '31', msg: 'Order does not exist' }));
  };
  const server = createServer((req, res) => {
    req.resume();
    inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    res.on('finish', () => {
      inFlight -= 1;
    });
    if (releasing) answer(res);
    else held.push(res);
  });
  server.on('connection', (s) => sockets.add(s));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    sockets,
    held,
    get maxInFlight() {
      return state.maxInFlight;
    },
    release() {
      releasing = true;
      for (const res of held.splice(0)) answer(res);
    },
  };
}

let server: HoldingServer | undefined;
let client: UpstreamClient | undefined;
afterEach(async () => {
  await client?.destroy();
  server?.server.closeAllConnections();
  server?.server.close();
  client = undefined;
  server = undefined;
});

const queries = (c: UpstreamClient, n: number) =>
  Array.from({ length: n }, (_, i) => c.queryPayment({ outTradeNo: `T${i}` }));

describe('the upstream connection pool', () => {
  it('opens at most `connections` sockets; the other calls queue, and poolStats shows them', async () => {
    server = await holdingServer();
    client = createUpstreamClient({ baseUrl: server.url, credentials, timeoutMs: 20_000, connections: 2 });
    const c = client;
    const calls = queries(c, 8);
    await vi.waitFor(
      () => {
        expect(server?.held.length).toBe(2);
        expect(c.poolStats()).toMatchObject({ queued: 6, running: 2, busyConnections: 2 });
      },
      { timeout: 10_000, interval: 10 },
    );
    expect(server.sockets.size).toBe(2);

    server.release();
    const results = await Promise.all(calls);
    expect(results.every((r) => r.outcome === 'rejected' && r.code === '31')).toBe(true);
    expect(server.maxInFlight).toBe(2);
    expect(server.sockets.size).toBe(2);
    expect(c.poolStats()).toEqual({ queued: 0, running: 0, busyConnections: 0, idleConnections: 2 });
  });

  it('with one connection, calls go one at a time and the rest wait in line', async () => {
    server = await holdingServer();
    client = createUpstreamClient({ baseUrl: server.url, credentials, timeoutMs: 20_000, connections: 1 });
    const c = client;
    const calls = queries(c, 4);
    await vi.waitFor(
      () => {
        expect(server?.held.length).toBe(1);
        expect(c.poolStats()).toMatchObject({ queued: 3, running: 1, busyConnections: 1 });
      },
      { timeout: 10_000, interval: 10 },
    );
    server.release();
    await Promise.all(calls);
    expect(server.maxInFlight).toBe(1);
    expect(server.sockets.size).toBe(1);
    expect(c.poolStats()).toEqual({ queued: 0, running: 0, busyConnections: 0, idleConnections: 1 });
  });

  it('with pipelining, shares a socket between queries but never writes a create behind a call', async () => {
    server = await holdingServer();
    client = createUpstreamClient({
      baseUrl: server.url,
      credentials,
      timeoutMs: 20_000,
      connections: 1,
      pipelining: 4,
    });
    const c = client;
    const calls: Promise<unknown>[] = queries(c, 3);
    await vi.waitFor(() => expect(server?.held.length).toBe(3), { timeout: 10_000, interval: 10 });
    calls.push(
      c.createPayment({
        outTradeNo: 'C1',
        amount: minorUnits(1000),
        currency: 'HKD',
        wallet: 'WECHATHK',
        notifyUrl: 'http://127.0.0.1/n',
      }),
    );
    await vi.waitFor(() => expect(c.poolStats()).toMatchObject({ queued: 1, running: 3 }), {
      timeout: 10_000,
      interval: 10,
    });
    expect(server.held.length).toBe(3);
    server.release();
    await Promise.all(calls);
    expect(server.sockets.size).toBe(1);
  });

  it('reports an empty pool before the first call', () => {
    client = createUpstreamClient({ baseUrl: 'http://127.0.0.1:9/', credentials });
    expect(client.poolStats()).toEqual({ queued: 0, running: 0, busyConnections: 0, idleConnections: 0 });
  });
});
