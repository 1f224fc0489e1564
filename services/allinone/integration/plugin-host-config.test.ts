// `make start` with PLUGIN_HOST_CONFIG, as a developer runs a plugin of their own beside the
// shipped ones: the all-in-one process loads the package the file names from the file's folder,
// and a payment made through the gateway and paid in the sandbox reaches it; a file naming a
// plugin the all-in-one already runs (the ledger) stops the start with an error naming both.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type AllInOneProcess, payOrder, startAllInOneProcess } from '@paystream/loop';
import { freePort, runId, waitFor } from '@paystream/plugin-testing';
import { afterAll, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const main = resolve(import.meta.dirname, '../dist/main.js');
const work = mkdtempSync(join(tmpdir(), 'paystream-allinone-config-'));
const key = 'psk_plugin_config_test';
let platform: AllInOneProcess | undefined;
afterAll(async () => {
  await platform?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A folder with a config file and node_modules beside it, as a developer's deployment has. */
function configFolder(name: string, plugins: unknown[]): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'node_modules/@paystream'), { recursive: true });
  writeFileSync(join(dir, 'plugin-host.json'), JSON.stringify({ plugins }));
  return dir;
}

const start = (dir: string) =>
  Promise.all([freePort(), freePort()]).then(([port, sandboxPort]) =>
    startAllInOneProcess({
      command: process.execPath,
      args: [main],
      cwd: dir,
      port,
      sandboxPort,
      env: {
        PLUGIN_HOST_CONFIG: join(dir, 'plugin-host.json'),
        PAYSTREAM_DEV_API_KEY: key,
        OUTBOX_POLL_INTERVAL_MS: '20',
        LOG_LEVEL: 'info',
      },
      timeoutMs: 60_000,
    }),
  );

it('runs a plugin package named in PLUGIN_HOST_CONFIG beside the shipped ones', async () => {
  const t0 = Date.now();
  const dir = configFolder('probe', [{ package: 'acme-probe', options: { label: 'from the file' } }]);
  // A built plugin package as installed beside the config: package.json and JavaScript only.
  const pkg = join(dir, 'node_modules/acme-probe');
  mkdirSync(pkg);
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({ name: 'acme-probe', version: '0.1.0', type: 'module', exports: './index.js' }),
  );
  writeFileSync(
    join(pkg, 'index.js'),
    `import { coreServices, definePlugin } from '@paystream/plugin-sdk';
import { z } from 'zod';
const seen = [];
export default definePlugin({
  id: 'acme-probe',
  subscribes: { types: ['payment.succeeded'] },
  options: z.strictObject({ label: z.string() }),
  deps: { http: coreServices.httpRouter },
  setup({ http }, options) {
    http.router.get('/seen', http.requireScope('payments:read'), (_req, res) => res.json({ options, seen }));
  },
  async handle(event, { logger }) {
    seen.push(event.subject);
    logger.info({ outTradeNo: event.subject }, 'acme-probe saw a payment');
  },
});
`,
  );
  symlinkSync(join(root, 'packages/plugin-sdk'), join(dir, 'node_modules/@paystream/plugin-sdk'));
  symlinkSync(join(root, 'packages/plugin-sdk/node_modules/zod'), join(dir, 'node_modules/zod'));

  platform = await start(dir);
  expect(platform.output()).toMatch(/plugins\s+accounting, alerting, erp-csv, acme-probe/);
  const order = `probe-${runId()}`;
  await payOrder(platform, key, order);
  const seen = await waitFor('the extra plugin to see the payment', async () => {
    const r = await fetch(`${platform!.gatewayUrl}/plugins/acme-probe/seen`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const body = (await r.json()) as { options: unknown; seen: string[] };
    return body.seen.includes(order) ? body : undefined;
  });
  expect(seen).toEqual({ options: { label: 'from the file' }, seen: [order] });
  // The process logs in 4 KiB batches flushed on a timer: the line arrives a moment later.
  await waitFor("the plugin's log line", () => platform!.output().includes('acme-probe saw a payment'));
  expect(platform.output()).toMatch(new RegExp(`"outTradeNo":"${order}".*acme-probe saw a payment`));
  const admin = await fetch(`${platform.gatewayUrl}/admin/plugins`, {
    headers: { authorization: `Bearer ${key}` },
  });
  expect(((await admin.json()) as { plugins: { id: string }[] }).plugins.map((p) => p.id)).toContain(
    'acme-probe',
  );
  expect(await platform.stop()).toBe(0);
  platform = undefined;
  console.info(`extra plugin: started, paid and seen, stopped in ${Date.now() - t0} ms`);
}, 120_000);

it('refuses to start when the file names a plugin the all-in-one already runs', async () => {
  const t0 = Date.now();
  const dir = configFolder('ledger-twice', [{ package: '@paystream/accounting' }]);
  symlinkSync(join(root, 'plugins/accounting'), join(dir, 'node_modules/@paystream/accounting'));
  const file = join(dir, 'plugin-host.json');
  const error = await start(dir).then(
    (p) => {
      platform = p;
      throw new Error('the all-in-one started with the ledger listed twice');
    },
    (err: Error) => err.message,
  );
  expect(error).toContain(
    `plugin accounting in ${file} already runs in the all-in-one (it ships accounting, alerting, erp-csv); list only plugins of your own there`,
  );
  // Refused before anything listened: no banner, no half-started gateway.
  expect(error).not.toContain('Paystream all-in-one is running');
  console.info(`shipped plugin refused in ${Date.now() - t0} ms`);
}, 60_000);
