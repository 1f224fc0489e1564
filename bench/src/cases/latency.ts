// Target 6: from the moment the gateway has confirmed a payment (its answer to the aggregator's
// notify) to the moment the ledger has committed the journal entry, at a steady 200 payments/s on
// Kafka and PostgreSQL; the create answered → ledger commit is reported beside it. Each payment is
// created through the gateway, then paid at the sandbox, which delivers the notify to the gateway.
// The ledger's commits are observed exactly: a trigger the bench adds to the ledger database calls
// pg_notify, and PostgreSQL delivers a notification only when its transaction commits.
import { sandboxControls } from '@paystream/upstream-sandbox';
import pg from 'pg';
import { ensureEventsTopic, kafkaFor, placeGroup, topicEnds } from '../backlog.js';
import { gatewayCaller } from '../callers.js';
import type { BenchContext } from '../context.js';
import { openLoop } from '../load.js';
import type { TargetResult } from '../results.js';
import { startGatewayProcess, startPluginHostProcess, startSandboxProcess } from '../stack.js';
import { median, round, summarize } from '../stats.js';
import { TARGETS, verdictOf } from '../targets.js';
import { HOST_GROUP } from './consumers.js';

const RATE = 200;

const TRIGGERS = `
CREATE FUNCTION bench_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_notify('bench_ledger', TG_TABLE_NAME || ' ' || NEW.out_trade_no); RETURN NEW; END $$;
CREATE TRIGGER bench_orders AFTER INSERT ON ledger_orders FOR EACH ROW EXECUTE FUNCTION bench_notify();
CREATE TRIGGER bench_entries AFTER INSERT ON ledger_entries FOR EACH ROW EXECUTE FUNCTION bench_notify();
`;

interface RoundFigures {
  round: number;
  payments: number;
  createToLedger: ReturnType<typeof summarize>;
  paidToEntry: ReturnType<typeof summarize>;
  errors: number;
  firstError?: string;
}

export async function answerToLedger(ctx: BenchContext): Promise<TargetResult> {
  const seconds = Math.max(10, ctx.settings.seconds * 2);
  const sandbox = await startSandboxProcess(ctx, 'sandbox-latency', 0);
  const gateway = await startGatewayProcess(ctx, {
    name: 'gw-latency',
    upstreamUrl: sandbox.url,
    database: 'sqlite',
  });
  const ledgerUrl = await ctx.createDatabase('ledger_latency');
  // The ledger's group starts at the topic's end, whatever earlier cases left on the topic.
  const kafka = kafkaFor(ctx.kafkaBrokers, 'paystream-bench');
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureEventsTopic(admin);
    await placeGroup(admin, HOST_GROUP, await topicEnds(admin));
  } finally {
    await admin.disconnect();
  }
  const host = await startPluginHostProcess(ctx, 'plugin-host-latency', ledgerUrl);
  const listener = new pg.Client({ connectionString: ledgerUrl });
  await listener.connect();
  await listener.query(TRIGGERS);
  const committed = { ledger_orders: new Map<string, number>(), ledger_entries: new Map<string, number>() };
  listener.on('notification', (n) => {
    const at = performance.now();
    const [table, outTradeNo] = (n.payload ?? '').split(' ');
    if (table === 'ledger_orders' || table === 'ledger_entries') committed[table].set(outTradeNo!, at);
  });
  await listener.query('LISTEN bench_ledger');

  const caller = gatewayCaller(gateway.url, 64);
  const controls = sandboxControls(sandbox.url);
  const rounds: RoundFigures[] = [];
  try {
    console.info(`gateway answer → ledger commit, ${RATE} payments/s on Kafka (target 6)`);
    // Round 0 warms up (connections, JIT, the host's group) and is not counted.
    for (let r = 0; r <= ctx.settings.rounds; r++) {
      const created = new Map<string, number>();
      const paid = new Map<string, number>();
      const load = await openLoop({
        perSecond: RATE,
        seconds: r === 0 ? 3 : seconds,
        call: async (i) => {
          const no = `b${ctx.runId}-l${r}-${i}`;
          await caller.create(no);
          created.set(no, performance.now());
          const pay = await controls.pay(no, { notify: true });
          const notify = pay.body.notify as { status?: number } | undefined;
          if (pay.status !== 200 || notify?.status !== 200)
            throw new Error(`paying ${no}: sandbox ${pay.status}, gateway notify ${notify?.status}`);
          paid.set(no, performance.now());
        },
      });
      const deadline = Date.now() + 60_000;
      const all = () =>
        [...created.keys()].every((no) => committed.ledger_orders.has(no)) &&
        [...paid.keys()].every((no) => committed.ledger_entries.has(no));
      while (!all() && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
      if (r === 0) continue;
      const lat = (answered: Map<string, number>, seen: Map<string, number>) =>
        [...answered].map(([no, at]) => Math.max(0, (seen.get(no) ?? Number.POSITIVE_INFINITY) - at));
      const missing =
        [...created.keys()].filter((no) => !committed.ledger_orders.has(no)).length +
        [...paid.keys()].filter((no) => !committed.ledger_entries.has(no)).length;
      const figures: RoundFigures = {
        round: r,
        payments: load.count,
        createToLedger: roundSummary(summarize(lat(created, committed.ledger_orders))),
        paidToEntry: roundSummary(summarize(lat(paid, committed.ledger_entries))),
        errors: load.errors + missing,
        ...(load.firstError
          ? { firstError: load.firstError }
          : missing
            ? { firstError: `${missing} commits never reached the ledger within 60 s` }
            : {}),
      };
      rounds.push(figures);
      console.info(
        `  round ${r}: ${load.count} payments; create→ledger p50 ${figures.createToLedger.p50} p99 ${figures.createToLedger.p99} ms;` +
          ` paid→entry p50 ${figures.paidToEntry.p50} p99 ${figures.paidToEntry.p99} ms` +
          `${figures.errors ? `; ERRORS ${figures.errors}: ${figures.firstError}` : ''}`,
      );
    }
  } finally {
    await caller.close();
    await listener.end();
    for (const p of [host, gateway, sandbox]) await ctx.stop(p.service);
  }
  const med = (pick: (f: RoundFigures) => number) => round(median(rounds.map(pick)), 1);
  const create = {
    p50: med((f) => f.createToLedger.p50),
    p95: med((f) => f.createToLedger.p95),
    p99: med((f) => f.createToLedger.p99),
  };
  const entry = {
    p50: med((f) => f.paidToEntry.p50),
    p95: med((f) => f.paidToEntry.p95),
    p99: med((f) => f.paidToEntry.p99),
  };
  const errors = rounds.reduce((n, f) => n + f.errors, 0);
  return {
    id: 6,
    comparison: `payment confirmed (the gateway's answer to the notify) → journal entry committed, steady ${RATE} payments/s on Kafka and PostgreSQL`,
    target: `p99 ≤ ${TARGETS.entryP99Ms} ms`,
    measured:
      `payment confirmed → journal entry p50/p95/p99 ${entry.p50}/${entry.p95}/${entry.p99} ms; ` +
      `create answered → ledger ${create.p50}/${create.p95}/${create.p99} ms`,
    verdict: verdictOf(entry.p99 <= TARGETS.entryP99Ms, errors === 0),
    figures: {
      perSecond: RATE,
      secondsPerRound: seconds,
      createToLedgerMs: create,
      paidToEntryMs: entry,
      errors,
      rounds,
    },
  };
}

function roundSummary(s: ReturnType<typeof summarize>) {
  return {
    count: s.count,
    p50: round(s.p50, 1),
    p95: round(s.p95, 1),
    p99: round(s.p99, 1),
    max: round(s.max, 1),
  };
}
