// The standalone host as operators run it: `node dist/main.js` with PLUGIN_HOST_CONFIG naming a
// plugin package and its options, on PLUGIN_HOST_PORT; events reach the plugin, its route answers
// with the API key's scope, /readyz lists it, and SIGTERM shuts it down cleanly.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEmbeddedBus } from '@paystream/bus';
import { freePort, makeEvents, waitFor } from '@paystream/bus/testing';
import { hashApiKey } from '@paystream/config';
import { expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

it('runs the plugins its config file names, serves them, and stops on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'paystream-standalone-'));
  const config = join(here, 'fixtures', 'plugin-host.json');
  const port = await freePort();
  const key = 'psk_standalone_test';
  const child = spawn(process.execPath, [resolve(here, '../dist/main.js')], {
    env: {
      ...process.env,
      KAFKA_BROKERS: '',
      PLUGIN_HOST_CONFIG: config,
      PLUGIN_HOST_PORT: String(port),
      EMBEDDED_BUS_FILE: join(dir, 'bus.sqlite'),
      DATABASE_URL: `sqlite:${join(dir, 'plugins.sqlite')}`,
      PAYSTREAM_API_KEYS: JSON.stringify([
        { caller: 'finance', sha256: hashApiKey(key), scopes: ['ledger:read'] },
      ]),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const url = `http://127.0.0.1:${port}`;
  try {
    const ready = await waitFor('the host to be ready', async () => {
      const r = await fetch(`${url}/readyz`).catch(() => undefined);
      return r?.status === 200
        ? ((await r.json()) as { plugins: { id: string; group: string }[] })
        : undefined;
    }).catch((err) => {
      throw new Error(`${err}\n${output}`);
    });
    expect(ready.plugins).toMatchObject([{ id: 'echo', group: 'paystream.plugin.echo' }]);
    const bus = await createEmbeddedBus({ file: join(dir, 'bus.sqlite') });
    const events = makeEvents({ type: 'payment.succeeded', keys: 2 });
    await bus.publish(events);
    await bus.close();
    const seen = await waitFor('the plugin to see both events', async () => {
      const r = await fetch(`${url}/plugins/echo/seen`, { headers: { authorization: `Bearer ${key}` } });
      const body = (await r.json()) as { label: string; seen: string[] };
      return body.seen.length === 2 ? body : undefined;
    });
    expect(seen).toEqual({ label: 'hi', seen: events.map((e) => e.id) });
    expect((await fetch(`${url}/plugins/echo/seen`)).status).toBe(401);
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(
      /paystream_plugin_consumer_lag\{plugin="echo"\} 0/,
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
