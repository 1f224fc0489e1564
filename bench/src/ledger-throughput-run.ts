// How fast the standalone plugin host books a backlog into the ledger, and its CPU per event:
// ORDERS orders (created + succeeded) produced to the events topic while no host runs, the
// accounting group placed before them, then one host started on a fresh PostgreSQL database and
// timed from the first row booked to the last. Case 6 of `make bench` runs the same drain against a
// bare consumer; this is the single figure to compare one build of the host with another.
// Needs KAFKA_BROKERS (a broker of your own: the events stay on the topic) and PostgreSQL
// (PAYSTREAM_BENCH_PG_URL, else PAYSTREAM_TEST_PG_URL, else the local server).
import { resolve } from 'node:path';
import { ensureEventsTopic, kafkaFor, paymentEvents, placeGroup, produce, topicEnds } from './backlog.js';
import { HOST_GROUP, untilLedgerHolds } from './cases/consumers.js';
import { BenchContext, benchPgAdminUrl } from './context.js';
import { startPluginHostProcess } from './stack.js';
import { round } from './stats.js';

const orders = Number(process.env.ORDERS ?? 10_000);
const brokers = process.env.KAFKA_BROKERS;
if (!brokers) {
  console.error('KAFKA_BROKERS is not set: name a broker of your own');
  process.exit(2);
}
const ctx = new BenchContext(
  resolve(import.meta.dirname, '../..'),
  { seconds: 0, warmupSeconds: 0, rounds: 1, events: orders * 2, cases: new Set([6]), profile: false },
  brokers,
  false,
  benchPgAdminUrl(),
);
const kafka = kafkaFor(brokers, 'paystream-ledger-bench');
const admin = kafka.admin();
await admin.connect();
try {
  await ensureEventsTopic(admin);
  const start = await topicEnds(admin);
  await placeGroup(admin, HOST_GROUP, start);
  const events = paymentEvents(`ledger-${ctx.runId}`, orders);
  const publishStart = performance.now();
  await produce(kafka, events);
  const publishedMs = performance.now() - publishStart;
  const databaseUrl = await ctx.createDatabase('ledger');
  const host = await startPluginHostProcess(ctx, 'ledger-host', databaseUrl);
  const cpu0 = host.service.cpuSeconds();
  const drained = await untilLedgerHolds(databaseUrl, events.length, 30 * 60_000);
  const cpuMs = (host.service.cpuSeconds() - cpu0) * 1000;
  console.info(
    JSON.stringify({
      events: events.length,
      publishedMs: Math.round(publishedMs),
      drainSeconds: drained.seconds,
      eventsPerSecond: drained.perSecond,
      // From the host's readiness on, so start-up is left out but the first rows' wait is in.
      hostCpuMsPerEvent: round(cpuMs / events.length, 3),
      peakRssMB: round(host.service.peakRssMB(), 1),
    }),
  );
} finally {
  await admin.disconnect();
  await ctx.cleanup();
}
