// The retention soak (not part of `make test` or `make bench`): SOAK_PAYMENTS payments (100,000)
// created through a gateway process and paid at the sandbox, whose notify the gateway records, on
// Kafka; a plugin host process books each in the ledger (accounting) and sends its entries through
// the plugin outbox. Both run with short retentions and prune every few seconds. Every few seconds,
// and once the ledger has every payment, the run reads the two outbox tables and the processed-id
// table and checks that no row is older than its retention plus one pruning interval and one pass
// (the most a row can outlive its retention before a pass deletes it); then, after the retention
// has passed once more, that only what came since is left. The figures go to
// bench/results/soak-retention.json.
//
//   KAFKA_BROKERS (a broker of your own; the events topic is created with the short retention when
//   missing), PAYSTREAM_BENCH_PG_URL (default the test server), SOAK_PAYMENTS (100000), SOAK_CALLERS
//   (32), SOAK_OUTBOX_RETENTION_MS (60000), SOAK_PROCESSED_RETENTION_MS (120000, also the topic's
//   retention), SOAK_PRUNE_INTERVAL_MS (10000), SOAK_SAMPLE_MS (5000).
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@paystream/bus/testing';
import { sandboxControls } from '@paystream/upstream-sandbox';
import pg from 'pg';
import { gatewayCaller } from './callers.js';
import { BenchContext, benchPgAdminUrl } from './context.js';
import { startService } from './processes.js';
import { type Started, startCommand, startGatewayProcess, startSandboxProcess } from './stack.js';

const int = (name: string, fallback: number) => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number`);
  return n;
};
const PAYMENTS = int('SOAK_PAYMENTS', 100_000);
const CALLERS = int('SOAK_CALLERS', 32);
const OUTBOX_MS = int('SOAK_OUTBOX_RETENTION_MS', 60_000);
const PROCESSED_MS = int('SOAK_PROCESSED_RETENTION_MS', 120_000);
const INTERVAL_MS = int('SOAK_PRUNE_INTERVAL_MS', 10_000);
const SAMPLE_MS = int('SOAK_SAMPLE_MS', 5_000);
/** How long a pass may take beyond its interval before a row counts as outliving its retention. */
const PASS_SLACK_MS = 10_000;

const brokers = process.env.KAFKA_BROKERS;
if (!brokers) {
  console.error('KAFKA_BROKERS is not set: name a broker of your own');
  process.exit(2);
}
const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const pgAdmin = benchPgAdminUrl();
const ctx = new BenchContext(
  root,
  { seconds: 0, warmupSeconds: 0, rounds: 0, events: 0, cases: new Set(), profile: false },
  brokers,
  false,
  pgAdmin,
);

const retentionEnv = {
  KAFKA_TOPIC_RETENTION_MS: String(PROCESSED_MS),
  OUTBOX_SENT_RETENTION_MS: String(OUTBOX_MS),
  PROCESSED_EVENTS_RETENTION_MS: String(PROCESSED_MS),
  PRUNE_INTERVAL_MS: String(INTERVAL_MS),
  LOG_LEVEL: 'warn',
};

/** The standalone plugin host with the ledger, started as its `start` script starts it. */
async function startHost(databaseUrl: string): Promise<Started> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = join(ctx.runDir, 'soak-plugin-host.json');
  writeFileSync(
    config,
    JSON.stringify({ plugins: [{ package: '@paystream/accounting', options: { reconcileIntervalMs: 0 } }] }),
  );
  const cwd = join(root, 'services/plugin-host');
  const { env, flags } = startCommand(cwd);
  const service = await startService({
    name: 'soak-plugin-host',
    cwd,
    script: 'dist/main.js',
    nodeArgs: flags,
    env: {
      ...env,
      ...retentionEnv,
      PLUGIN_HOST_PORT: String(port),
      HOST: '127.0.0.1',
      PLUGIN_HOST_CONFIG: config,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: brokers!,
    },
    readyUrl: `${url}/readyz`,
    logDir: ctx.logDir,
  });
  return { url, service: ctx.track(service) };
}

/** One bounded table, read at one moment. */
interface TableReading {
  rows: number;
  /** Rows past the retention: deleted by the next pass. */
  pastRetention: number;
  /** Rows past the retention, one interval and a pass: pruning did not keep up. */
  overdue: number;
  /** Age of the oldest row counted by the retention's column, ms (unsent outbox rows apart). */
  oldestMs: number | null;
  unsent?: number;
}

async function readTable(
  client: pg.Client,
  table: string,
  column: string,
  retentionMs: number,
  outbox: boolean,
): Promise<TableReading> {
  const now = Date.now();
  const iso = (ago: number) => new Date(now - ago).toISOString();
  const { rows } = await client.query(
    `select count(*)::int as rows,
            count(*) filter (where ${column} < $1)::int as past,
            count(*) filter (where ${column} < $2)::int as overdue,
            min(${column}) as oldest
            ${outbox ? ', count(*) filter (where sent_at is null)::int as unsent' : ''}
       from ${table}`,
    [iso(retentionMs), iso(retentionMs + INTERVAL_MS + PASS_SLACK_MS)],
  );
  const r = rows[0] as {
    rows: number;
    past: number;
    overdue: number;
    oldest: string | null;
    unsent?: number;
  };
  return {
    rows: r.rows,
    pastRetention: r.past,
    overdue: r.overdue,
    oldestMs: r.oldest ? now - Date.parse(r.oldest) : null,
    ...(outbox ? { unsent: r.unsent ?? 0 } : {}),
  };
}

interface Sample {
  atSeconds: number;
  paymentsDone: number;
  gatewayOutbox: TableReading;
  pluginOutbox: TableReading;
  processedIds: TableReading;
}

async function main() {
  const started = Date.now();
  const sandbox = await startSandboxProcess(ctx, 'soak-sandbox', 0);
  const gatewayDb = await ctx.createDatabase('soak_gateway');
  const ledgerDb = await ctx.createDatabase('soak_ledger');
  const gateway = await startGatewayProcess(ctx, {
    name: 'soak-gateway',
    upstreamUrl: sandbox.url,
    // Its own PostgreSQL database, made above so the run can read its outbox ('sqlite' only keeps
    // the helper from making one more).
    database: 'sqlite',
    extraEnv: { ...retentionEnv, DATABASE_URL: gatewayDb },
  });
  const host = await startHost(ledgerDb);
  const gw = new pg.Client({ connectionString: gatewayDb });
  const ledger = new pg.Client({ connectionString: ledgerDb });
  await gw.connect();
  await ledger.connect();
  const caller = gatewayCaller(gateway.url, CALLERS);
  const controls = sandboxControls(sandbox.url);
  const samples: Sample[] = [];
  let done = 0;
  let errors = 0;
  let notifyUnanswered = 0;
  let firstError: string | undefined;
  const sample = async (): Promise<Sample> => {
    const s: Sample = {
      atSeconds: Math.round((Date.now() - started) / 1000),
      paymentsDone: done,
      gatewayOutbox: await readTable(gw, 'paystream_outbox', 'sent_at', OUTBOX_MS, true),
      pluginOutbox: await readTable(ledger, 'paystream_plugin_outbox', 'sent_at', OUTBOX_MS, true),
      processedIds: await readTable(
        ledger,
        'paystream_processed_events',
        'processed_at',
        PROCESSED_MS,
        false,
      ),
    };
    samples.push(s);
    return s;
  };
  const show = (s: Sample) =>
    console.info(
      `${String(s.atSeconds).padStart(5)} s  ${String(s.paymentsDone).padStart(6)} paid | ` +
        `gateway outbox ${s.gatewayOutbox.rows} (past ${s.gatewayOutbox.pastRetention}, overdue ${s.gatewayOutbox.overdue}) | ` +
        `plugin outbox ${s.pluginOutbox.rows} (past ${s.pluginOutbox.pastRetention}, overdue ${s.pluginOutbox.overdue}) | ` +
        `processed ids ${s.processedIds.rows} (past ${s.processedIds.pastRetention}, overdue ${s.processedIds.overdue})`,
    );

  try {
    console.info(
      `soak: ${PAYMENTS} payments, ${CALLERS} callers; outbox retention ${OUTBOX_MS} ms, processed ids ${PROCESSED_MS} ms, pruning every ${INTERVAL_MS} ms`,
    );
    const sampler = setInterval(() => void sample().then(show, () => undefined), SAMPLE_MS);
    let next = 0;
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        for (let i = next++; i < PAYMENTS; i = next++) {
          const no = `soak${ctx.runId}-${i}`;
          try {
            await caller.create(no);
            const pay = await controls.pay(no, { notify: true });
            if (pay.status !== 200) throw new Error(`paying ${no}: sandbox ${pay.status}`);
            // A notify the gateway did not answer in time is settled by its periodic query: the
            // ledger still gets the payment (the wait below counts on it), so it is no error.
            if ((pay.body.notify as { status?: number } | undefined)?.status !== 200) notifyUnanswered += 1;
            done += 1;
          } catch (err) {
            errors += 1;
            firstError ??= err instanceof Error ? err.message : String(err);
          }
        }
      }),
    );
    const loadSeconds = Math.round((Date.now() - started) / 1000);
    // The ledger has every payment: one order row and one journal entry each.
    const ledgerCounts = async () =>
      (
        await ledger.query(
          'select (select count(*) from ledger_orders)::int as orders, (select count(*) from ledger_entries)::int as entries',
        )
      ).rows[0] as { orders: number; entries: number };
    for (let c = await ledgerCounts(); c.orders < done || c.entries < done; c = await ledgerCounts())
      await new Promise((r) => setTimeout(r, 1_000));
    const caughtUpSeconds = Math.round((Date.now() - started) / 1000);
    clearInterval(sampler);
    const atEnd = await sample();
    show(atEnd);
    // Once the longest retention, an interval and a pass have gone by, only that window is left.
    await new Promise((r) => setTimeout(r, PROCESSED_MS + INTERVAL_MS + PASS_SLACK_MS));
    const afterRetention = await sample();
    show(afterRetention);
    const metrics = async (url: string) =>
      (await (await fetch(`${url}/metrics`)).text())
        .split('\n')
        .filter((l) => l.startsWith('paystream_table_'))
        .sort();
    const report = {
      settings: {
        payments: PAYMENTS,
        callers: CALLERS,
        outboxRetentionMs: OUTBOX_MS,
        processedRetentionMs: PROCESSED_MS,
        pruneIntervalMs: INTERVAL_MS,
        passSlackMs: PASS_SLACK_MS,
      },
      paymentsDone: done,
      notifyUnanswered,
      errors,
      ...(firstError ? { firstError } : {}),
      loadSeconds,
      caughtUpSeconds,
      ledger: await ledgerCounts(),
      maxRows: {
        gatewayOutbox: Math.max(...samples.map((s) => s.gatewayOutbox.rows)),
        pluginOutbox: Math.max(...samples.map((s) => s.pluginOutbox.rows)),
        processedIds: Math.max(...samples.map((s) => s.processedIds.rows)),
      },
      overdueEver: samples.reduce(
        (n, s) => n + s.gatewayOutbox.overdue + s.pluginOutbox.overdue + s.processedIds.overdue,
        0,
      ),
      atEnd,
      afterRetention,
      gatewayMetrics: await metrics(gateway.url),
      hostMetrics: await metrics(host.url),
      samples,
    };
    const file = join(root, 'bench/results/soak-retention.json');
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    console.info(
      `\n${done} payments (${errors} errors, ${notifyUnanswered} notify callbacks unanswered and settled by the gateway's query) in ${loadSeconds} s, ledger caught up at ${caughtUpSeconds} s; ` +
        `most rows ever: gateway outbox ${report.maxRows.gatewayOutbox}, plugin outbox ${report.maxRows.pluginOutbox}, ` +
        `processed ids ${report.maxRows.processedIds}; rows overdue in any sample: ${report.overdueEver}\n` +
        `${report.gatewayMetrics.join('\n')}\n${report.hostMetrics.join('\n')}\nwrote ${file}`,
    );
    if (report.overdueEver > 0 || errors > 0) process.exitCode = 1;
  } finally {
    await caller.close();
    await gw.end();
    await ledger.end();
    await ctx.cleanup();
  }
}

await main();
