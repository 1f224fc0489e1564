// Target 5 (and the plugin host's half of 9): the plugin host with the ledger on PostgreSQL
// against the floor consumer (floor-consumer.ts: the ledger's rows, one statement per table per
// batch, one transaction) and a bare kafkajs consumer that only counts, each reading the same
// backlog of payment events on the real broker from the same offsets.
import { freePort } from '@paystream/bus/testing';
import type { Admin, Kafka } from 'kafkajs';
import pg from 'pg';
import {
  ensureEventsTopic,
  kafkaFor,
  paymentEvents,
  placeGroup,
  produce,
  TOPIC,
  topicEnds,
} from '../backlog.js';
import type { BenchContext } from '../context.js';
import { floorConsumer, type Timed } from '../floor-consumer.js';
import { connectProfiler } from '../inspector.js';
import { type ProfileSummary, summarizeProfile } from '../profile.js';
import type { TargetResult } from '../results.js';
import { startPluginHostProcess } from '../stack.js';
import { median, round } from '../stats.js';
import { TARGETS, verdictOf } from '../targets.js';

export const HOST_GROUP = 'paystream.plugin.accounting';

export interface ConsumerRss {
  /** Peak RSS of each plugin-host process, MB, by the case it ran under. */
  byCase: Record<string, number[]>;
}

/** A kafkajs consumer that counts, from `offsets`; events/s from the first record to the last. */
async function bareConsumer(
  kafka: Kafka,
  admin: Admin,
  group: string,
  offsets: Map<number, string>,
  n: number,
) {
  await placeGroup(admin, group, offsets);
  const consumer = kafka.consumer({ groupId: group, maxBytesPerPartition: 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  let count = 0;
  let first = 0;
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        if (first === 0) first = performance.now();
        count += batch.messages.length;
        if (count >= n) resolve(performance.now());
      },
    });
  });
  const last = await done;
  await consumer.disconnect();
  const seconds = (last - first) / 1000;
  return { events: count, seconds: round(seconds, 2), perSecond: round(count / seconds, 0) } satisfies Timed;
}

/** Rows the ledger wrote: one per payment.created (ledger_orders), one per payment.succeeded (entries). */
async function ledgerRows(db: pg.Client): Promise<number> {
  const r = await db.query<{ n: string }>(
    'SELECT (SELECT count(*) FROM ledger_orders) + (SELECT count(*) FROM ledger_entries) AS n',
  );
  return Number(r.rows[0]!.n);
}

/** Polls the ledger until it holds `n` rows; events/s from the first row seen to the last. */
export async function untilLedgerHolds(databaseUrl: string, n: number, timeoutMs: number): Promise<Timed> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    let first = 0;
    let firstRows = 0;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const rows = await ledgerRows(db).catch(() => 0);
      const now = performance.now();
      if (rows > 0 && first === 0) {
        first = now;
        firstRows = rows;
      }
      if (rows >= n) {
        if (rows > n) throw new Error(`the ledger holds ${rows} rows for ${n} events: something was doubled`);
        const seconds = (now - first) / 1000;
        return { events: n, seconds: round(seconds, 2), perSecond: round((n - firstRows) / seconds, 0) };
      }
      if (now > deadline)
        throw new Error(`the ledger holds ${rows} of ${n} rows after ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await db.end();
  }
}

function hostPeaks(rss: ConsumerRss, id: string): number[] {
  rss.byCase[id] ??= [];
  return rss.byCase[id];
}

export async function consumerThroughput(ctx: BenchContext, rss: ConsumerRss): Promise<TargetResult> {
  const n = ctx.settings.events;
  const kafka = kafkaFor(ctx.kafkaBrokers, 'paystream-bench');
  const admin = kafka.admin();
  await admin.connect();
  const bare: Timed[] = [];
  const floor: (Timed & { rows: Record<string, number> })[] = [];
  const host: Timed[] = [];
  let profile: ProfileSummary | undefined;
  try {
    await ensureEventsTopic(admin);
    console.info(
      `plugin host + ledger on PostgreSQL vs the floor consumer vs a bare consumer, ${n} events (target 5)`,
    );
    for (let r = 0; r < ctx.settings.rounds; r++) {
      const start = await topicEnds(admin);
      await produce(kafka, paymentEvents(`b${ctx.runId}-c${r}`, n / 2));
      const arms: Record<string, () => Promise<void>> = {
        host: async () => {
          await placeGroup(admin, HOST_GROUP, start);
          const databaseUrl = await ctx.createDatabase(`ledger_c${r}`);
          const p = await startPluginHostProcess(ctx, `plugin-host-c${r}`, databaseUrl);
          const t = await untilLedgerHolds(databaseUrl, n, 30 * 60_000);
          hostPeaks(rss, '5').push(round(p.service.peakRssMB(), 1));
          await ctx.stop(p.service);
          host.push(t);
          console.info(`  round ${r + 1} plugin host: ${t.perSecond} events/s (${t.seconds} s)`);
        },
        floor: async () => {
          const databaseUrl = await ctx.createDatabase(`floor_c${r}`);
          const group = `paystream.bench.floor.${ctx.runId}.${r}`;
          const t = await floorConsumer(kafka, admin, group, start, n, databaseUrl);
          if (t.rows.entries !== n / 2 || t.rows.orders !== n / 2)
            throw new Error(`the floor wrote ${JSON.stringify(t.rows)} for ${n / 2} payments`);
          floor.push(t);
          console.info(`  round ${r + 1} floor consumer: ${t.perSecond} events/s (${t.seconds} s)`);
        },
        bare: async () => {
          const t = await bareConsumer(kafka, admin, `paystream.bench.bare.${ctx.runId}.${r}`, start, n);
          bare.push(t);
          console.info(`  round ${r + 1} bare consumer: ${t.perSecond} events/s (${t.seconds} s)`);
        },
      };
      const order = ['host', 'floor', 'bare'];
      for (let i = 0; i < order.length; i++) await arms[order[(i + r) % order.length]!]!();
    }
    profile = await profileHost(ctx, kafka, admin, Math.max(2, Math.round(n / 4 / 2) * 2));
  } finally {
    await admin.disconnect();
  }
  const ratio = round(median(host.map((h, i) => h.perSecond / floor[i]!.perSecond)), 3);
  const floorOfBare = round(median(floor.map((f, i) => f.perSecond / bare[i]!.perSecond)), 3);
  const hostRate = median(host.map((h) => h.perSecond));
  const floorRate = median(floor.map((f) => f.perSecond));
  const bareRate = median(bare.map((b) => b.perSecond));
  const f = (x: number) => x.toLocaleString('en-US');
  return {
    id: 5,
    comparison: `plugin host with the ledger on PostgreSQL vs the floor consumer (the ledger's rows, one insert per table per batch, one transaction, offsets after commit), ${f(n)} events on the real broker from the same offsets`,
    target: `≥ ${TARGETS.hostOfFloor}×`,
    measured:
      `${ratio}× (${f(hostRate)} vs ${f(floorRate)} events/s); bare count-only consumer ${f(bareRate)} events/s ` +
      `(floor ${floorOfBare}× of it)`,
    verdict: verdictOf(ratio >= TARGETS.hostOfFloor),
    figures: {
      ratio,
      floorOfBare,
      hostEventsPerSecond: hostRate,
      floorEventsPerSecond: floorRate,
      bareEventsPerSecond: bareRate,
      host,
      floor,
      bare,
      profile,
    },
  };
}

/** An unmeasured pass over a quarter of the backlog, with the host's profiler recording. */
async function profileHost(
  ctx: BenchContext,
  kafka: Kafka,
  admin: Admin,
  n: number,
): Promise<ProfileSummary | undefined> {
  if (!ctx.settings.profile) return undefined;
  const start = await topicEnds(admin);
  await produce(kafka, paymentEvents(`b${ctx.runId}-prof`, n / 2));
  await placeGroup(admin, HOST_GROUP, start);
  const databaseUrl = await ctx.createDatabase('ledger_profile');
  const inspectPort = await freePort();
  const p = await startPluginHostProcess(ctx, 'plugin-host-profile', databaseUrl, inspectPort);
  const profiler = await connectProfiler(inspectPort);
  try {
    await profiler.start();
    await untilLedgerHolds(databaseUrl, n, 30 * 60_000);
    return summarizeProfile(await profiler.stop());
  } finally {
    profiler.close();
    await ctx.stop(p.service);
  }
}
