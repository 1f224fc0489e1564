// How fast the standalone plugin host books payments into the ledger, on Kafka and PostgreSQL:
// starts `node dist/main.js` with the accounting plugin on a fresh database, waits until it is
// ready, stops it, publishes ORDERS orders (payment.created seq 1 + payment.succeeded seq 2 each)
// to payments.events.v1, starts it again and times how fast it books that backlog. Needs KAFKA_BROKERS
// and a PostgreSQL server (PAYSTREAM_TEST_PG_URL, default the local one). Run after a build:
//   KAFKA_BROKERS=127.0.0.1:9092 node services/plugin-host/bench/ledger-throughput.mjs
// The standalone host reads the real topic, so the events stay on payments.events.v1 and in the
// accounting group's history: use a broker of your own (suites that replay the topic from the start
// then have that much more to read; `infra/kafka/kafka.sh reset` empties it).
// Prints events/s over the drain (first to last entry booked) and the host's CPU ms per event.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKafkaBus } from '@paystream/bus';
import { freePort, kafkaTestBrokers, runId, waitFor } from '@paystream/bus/testing';
import { openDatabase, sql } from '@paystream/db';
import { createPostgresTestDatabase } from '@paystream/db/testing';
import { orderEvents } from '../../../packages/plugin-testing/dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const orders = Number(process.env.ORDERS ?? 10_000);
const brokers = kafkaTestBrokers();
const dir = mkdtempSync(join(tmpdir(), 'paystream-ledger-bench-'));
const config = join(dir, 'plugin-host.json');
writeFileSync(
  config,
  JSON.stringify({
    plugins: [
      {
        package: resolve(here, '../../../plugins/accounting/dist/index.js'),
        options: { reconcileIntervalMs: 0 },
      },
    ],
  }),
);
const testDb = await createPostgresTestDatabase('paystream_bench');
const port = await freePort();
const startHost = () =>
  spawn(process.execPath, [resolve(here, '../dist/main.js')], {
    env: {
      ...process.env,
      KAFKA_BROKERS: brokers.join(','),
      PLUGIN_HOST_CONFIG: config,
      PLUGIN_HOST_PORT: String(port),
      DATABASE_URL: testDb.url,
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
const stop = async (child) => {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((res) => child.once('exit', res));
};
const cpuMs = (child) => {
  // utime + stime of the host process, in clock ticks (100 per second on Linux).
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const database = openDatabase({ url: testDb.url });
const bus = await createKafkaBus({ brokers, clientId: 'ledger-bench' });
const entries = async () =>
  Number((await sql`select count(*) as n from ledger_entries`.execute(database.db)).rows[0]?.n ?? 0);
let child = startHost();
try {
  await waitFor(
    'the host to be ready',
    async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200,
    { timeoutMs: 60_000 },
  );
  // One order booked gives the group a committed position: the events published while the host is
  // down are then its backlog (a group without one would start at the end and skip them).
  const prefix = `bench-${runId()}`;
  await bus.publish(orderEvents(`${prefix}-warmup`));
  await waitFor('the warm-up entry', async () => (await entries()) === 1, { timeoutMs: 60_000 });
  await stop(child);

  const events = [];
  for (let i = 0; i < orders; i++) events.push(...orderEvents(`${prefix}-${i}`));
  const publishStart = performance.now();
  for (let i = 0; i < events.length; i += 1000) await bus.publish(events.slice(i, i + 1000));
  const publishedMs = performance.now() - publishStart;

  // The backlog is drained from the first entry booked to the last: process start-up is left out.
  child = startHost();
  const spawnedAt = performance.now();
  let first;
  for (;;) {
    const n = await entries().catch(() => 0);
    if (first === undefined && n > 1) first = { n, at: performance.now(), cpu: cpuMs(child) };
    if (n >= orders + 1) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const end = performance.now();
  const cpu = cpuMs(child) - first.cpu;
  // ledger.entry.posted still waiting in the plugin outbox: whether its relay keeps pace.
  const outboxPending = Number(
    (await sql`select count(*) as n from paystream_plugin_outbox where sent_at is null`.execute(database.db))
      .rows[0]?.n ?? 0,
  );
  const drained = (orders + 1 - first.n) * 2;
  console.info(
    JSON.stringify({
      events: events.length,
      publishedMs: Math.round(publishedMs),
      fromSpawnMs: Math.round(end - spawnedAt),
      drainMs: Math.round(end - first.at),
      eventsPerSecond: Math.round((drained / (end - first.at)) * 1000),
      hostCpuMsPerEvent: Number((cpu / drained).toFixed(3)),
      outboxPending,
    }),
  );
} finally {
  await stop(child);
  await bus.close();
  await database.destroy();
  await testDb.drop();
  rmSync(dir, { recursive: true, force: true });
}
