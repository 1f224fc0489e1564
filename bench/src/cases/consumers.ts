// Targets 6 and 9 (and the plugin host's half of 8): the plugin host with the ledger on
// PostgreSQL against a bare kafkajs consumer that only counts, reading the same backlog of
// payment events on the real broker; then 1 and 2 partitions with as many host instances.
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
import { connectProfiler } from '../inspector.js';
import { type ProfileSummary, summarizeProfile } from '../profile.js';
import { type TargetResult, verdictOf } from '../results.js';
import { startPluginHostProcess } from '../stack.js';
import { median, round } from '../stats.js';

export const HOST_GROUP = 'paystream.plugin.accounting';

export interface ConsumerRss {
  /** Peak RSS of each plugin-host process, MB, by the case it ran under. */
  byCase: Record<string, number[]>;
}

interface Timed {
  events: number;
  seconds: number;
  perSecond: number;
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

/** Waits until `group` is Stable with `members` consumers (so no rebalance lands mid-measure). */
async function groupStable(admin: Admin, group: string, members: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { groups } = await admin.describeGroups([group]);
    const g = groups[0];
    if (g && g.state === 'Stable' && g.members.length === members) return;
    if (Date.now() > deadline) throw new Error(`${group} did not settle with ${members} members`);
    await new Promise((r) => setTimeout(r, 250));
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
  const host: Timed[] = [];
  let profile: ProfileSummary | undefined;
  try {
    await ensureEventsTopic(admin);
    console.info(`plugin host + ledger on PostgreSQL vs bare kafkajs consumer, ${n} events (target 6)`);
    for (let r = 0; r < ctx.settings.rounds; r++) {
      const start = await topicEnds(admin);
      await produce(kafka, paymentEvents(`b${ctx.runId}-c${r}`, n / 2));
      const runBare = async () => {
        const t = await bareConsumer(kafka, admin, `paystream.bench.bare.${ctx.runId}.${r}`, start, n);
        bare.push(t);
        console.info(`  round ${r + 1} bare consumer: ${t.perSecond} events/s (${t.seconds} s)`);
      };
      const runHost = async () => {
        await placeGroup(admin, HOST_GROUP, start);
        const databaseUrl = await ctx.createDatabase(`ledger_c${r}`);
        const p = await startPluginHostProcess(ctx, `plugin-host-c${r}`, databaseUrl);
        const t = await untilLedgerHolds(databaseUrl, n, 30 * 60_000);
        hostPeaks(rss, '6').push(round(p.service.peakRssMB(), 1));
        await ctx.stop(p.service);
        host.push(t);
        console.info(`  round ${r + 1} plugin host: ${t.perSecond} events/s (${t.seconds} s)`);
      };
      if (r % 2 === 0) {
        await runBare();
        await runHost();
      } else {
        await runHost();
        await runBare();
      }
    }
    profile = await profileHost(ctx, kafka, admin, Math.max(2, Math.round(n / 4 / 2) * 2));
  } finally {
    await admin.disconnect();
  }
  const ratio = round(median(host.map((h, i) => h.perSecond / bare[i]!.perSecond)), 3);
  const hostRate = median(host.map((h) => h.perSecond));
  const bareRate = median(bare.map((b) => b.perSecond));
  return {
    id: 6,
    comparison: `plugin host with the ledger on PostgreSQL vs a bare kafkajs eachBatch consumer that only counts, ${n.toLocaleString('en-US')} events on the real broker`,
    target: '≥ 0.25×; events/s reported',
    measured: `${ratio}× (${hostRate.toLocaleString('en-US')} vs ${bareRate.toLocaleString('en-US')} events/s)`,
    verdict: verdictOf(ratio >= 0.25),
    figures: { ratio, hostEventsPerSecond: hostRate, bareEventsPerSecond: bareRate, host, bare, profile },
  };
}

/** Deletes and recreates the events topic with `partitions` (only on a broker the run owns). */
async function recreateTopic(admin: Admin, partitions: number): Promise<void> {
  const existing = await admin.listTopics();
  if (existing.includes(TOPIC)) await admin.deleteTopics({ topics: [TOPIC], timeout: 30_000 });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      // Deletion is asynchronous in KRaft: creation fails until it has finished.
      const created = await admin.createTopics({
        topics: [{ topic: TOPIC, numPartitions: partitions, replicationFactor: 1 }],
        waitForLeaders: true,
      });
      if (created) break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const meta = await admin.fetchTopicMetadata({ topics: [TOPIC] });
  const got = meta.topics[0]?.partitions.length;
  if (got !== partitions) throw new Error(`${TOPIC} has ${got} partitions, wanted ${partitions}`);
}

export async function partitionScaling(ctx: BenchContext, rss: ConsumerRss): Promise<TargetResult> {
  const n = ctx.settings.events;
  if (!ctx.ownsBroker) {
    return {
      id: 9,
      comparison: 'case 6 with 1 and 2 partitions and as many plugin-host instances',
      target: 'reported, with how it scales',
      measured: 'not run: it recreates the events topic, so it runs only on a broker the run started itself',
      verdict: 'not run',
      figures: {},
    };
  }
  const kafka = kafkaFor(ctx.kafkaBrokers, 'paystream-bench');
  const admin = kafka.admin();
  await admin.connect();
  const byPartitions: Record<string, Timed[]> = { '1': [], '2': [] };
  try {
    console.info(`plugin host instances = partitions, 1 and 2, ${n} events (target 9)`);
    for (let r = 0; r < ctx.settings.rounds; r++) {
      for (const partitions of r % 2 === 0 ? [1, 2] : [2, 1]) {
        await recreateTopic(admin, partitions);
        await placeGroup(admin, HOST_GROUP, new Map(Array.from({ length: partitions }, (_, p) => [p, '0'])));
        const databaseUrl = await ctx.createDatabase(`ledger_p${partitions}_${r}`);
        const hosts = [];
        for (let i = 0; i < partitions; i++)
          hosts.push(await startPluginHostProcess(ctx, `plugin-host-p${partitions}-${i}-r${r}`, databaseUrl));
        await groupStable(admin, HOST_GROUP, partitions);
        const measuring = untilLedgerHolds(databaseUrl, n, 30 * 60_000);
        await produce(kafka, paymentEvents(`b${ctx.runId}-p${partitions}-${r}`, n / 2));
        const t = await measuring;
        for (const h of hosts) {
          hostPeaks(rss, '9').push(round(h.service.peakRssMB(), 1));
          await ctx.stop(h.service);
        }
        byPartitions[String(partitions)]!.push(t);
        console.info(
          `  round ${r + 1}, ${partitions} partition(s): ${t.perSecond} events/s (${t.seconds} s)`,
        );
      }
    }
  } finally {
    await admin.disconnect();
  }
  const one = median(byPartitions['1']!.map((t) => t.perSecond));
  const two = median(byPartitions['2']!.map((t) => t.perSecond));
  const scaling = round(
    median(byPartitions['2']!.map((t, i) => t.perSecond / byPartitions['1']![i]!.perSecond)),
    2,
  );
  return {
    id: 9,
    comparison: 'case 6 with 1 and 2 partitions and as many plugin-host instances',
    target: 'reported, with how it scales',
    measured: `1 partition: ${one.toLocaleString('en-US')} events/s; 2 partitions, 2 hosts: ${two.toLocaleString('en-US')} events/s (${scaling}×)`,
    verdict: 'reported',
    figures: { eventsPerSecond: { '1': one, '2': two }, scaling, rounds: byPartitions },
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
