import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './ports.js';
import { type FleetProxy, startFleetProxy } from './proxy.js';

/** A stand-in gateway answering its name and the body it got. */
async function gateway(name: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name, path: req.url, body: Buffer.concat(chunks).toString() }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const servers: Server[] = [];
let proxy: FleetProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function send(path: string, body = '') {
  const res = await fetch(`${proxy!.url}${path}`, { method: 'POST', body });
  return {
    status: res.status,
    body: res.status === 200 ? ((await res.json()) as { name: string }) : undefined,
  };
}

describe('the fleet proxy', () => {
  it('sends API calls round robin and forwards the body byte for byte', async () => {
    const [a, b] = [await gateway('a'), await gateway('b')];
    servers.push(a.server, b.server);
    proxy = await startFleetProxy();
    proxy.setTargets([a.url, b.url]);
    const names = [];
    for (let i = 0; i < 4; i++) names.push((await send('/v1/payments', `{"n":${i}}`)).body);
    expect(names).toEqual([
      { name: 'a', path: '/v1/payments', body: '{"n":0}' },
      { name: 'b', path: '/v1/payments', body: '{"n":1}' },
      { name: 'a', path: '/v1/payments', body: '{"n":2}' },
      { name: 'b', path: '/v1/payments', body: '{"n":3}' },
    ]);
    expect(proxy.counts()).toEqual({ requests: [2, 2], notifies: [], failovers: 0, failed: 0 });
  });

  it('sends a pinned order’s notifies to its gateway and records each delivery', async () => {
    const [a, b] = [await gateway('a'), await gateway('b')];
    servers.push(a.server, b.server);
    proxy = await startFleetProxy();
    proxy.setTargets([a.url, b.url]);
    proxy.pin('o-1', 1);
    const notify = JSON.stringify({ out_trade_no: 'o-1' });
    expect((await send('/v1/notifications/upstream', notify)).body?.name).toBe('b');
    expect((await send('/v1/notifications/upstream', notify)).body?.name).toBe('b');
    expect(proxy.deliveries).toEqual([
      { outTradeNo: 'o-1', gateway: 1, status: 200 },
      { outTradeNo: 'o-1', gateway: 1, status: 200 },
    ]);
  });

  it('skips a gateway out of rotation, and tries the next when one refuses the connection', async () => {
    const a = await gateway('a');
    servers.push(a.server);
    const down = `http://127.0.0.1:${await freePort()}`;
    proxy = await startFleetProxy();
    proxy.setTargets([a.url, down]);
    const names = [];
    for (let i = 0; i < 3; i++) names.push((await send('/v1/payments')).body?.name);
    expect(names).toEqual(['a', 'a', 'a']);
    // The second and the third request each met the refusing gateway first.
    expect(proxy.counts().failovers).toBe(2);

    proxy.setTarget(0, undefined);
    expect(await send('/v1/payments')).toEqual({ status: 502, body: undefined });
    proxy.setTarget(0, a.url);
    expect((await send('/v1/payments')).body?.name).toBe('a');
  });
});
