import { resolve } from 'node:path';
import {
  batchService,
  CURRENCIES,
  coreServices,
  definePlugin,
  type EventOf,
  type Kysely,
  LEDGER_ENTRIES_TOPIC,
} from '@paystream/plugin-sdk';
import {
  LABEL_CURRENCY,
  LABEL_KIND,
  METRIC_LEDGER_ENTRIES_TOTAL,
  METRIC_LEDGER_RECONCILIATION_MISMATCHES,
  METRIC_RECONCILIATION_DIFFERENCES,
} from '@paystream/telemetry';
import { z } from 'zod';
import { BOOKED_TYPES, type BookedEvent } from './chart.js';
import { countedQuery, queryMetrics } from './counted-upstream.js';
import { DailyReconciliation } from './daily-run.js';
import { DailyReports } from './daily-store.js';
import { Ledger } from './ledger.js';
import { MISMATCH_KINDS, type ReconciliationReport, reconcile } from './reconcile.js';
import { type ConsumedEvent, recordReported, reportedInserts } from './reported.js';
import { ledgerRoutes } from './routes.js';
import { type LedgerSchema, ledgerMigrations } from './schema.js';

/** Options of the accounting plugin. */
export const accountingOptions = z
  .object({
    /** How often reconciliation runs on its own. Default 5 minutes; 0 turns the schedule off. */
    reconcileIntervalMs: z.number().int().min(0).default(300_000),
    /** Most recent orders each scheduled run compares. Default 200. */
    reconcileBatch: z.number().int().min(1).max(10_000).default(200),
    /** CloudEvents `source` of `ledger.entry.posted`. */
    source: z.string().min(1).default('/paystream/plugins/accounting'),
    /** Reconciles the previous Hong Kong day once a day, from 00:30 HKT on. Default on. */
    dailyReconciliation: z.boolean().default(true),
    /** How often the schedule looks whether a day is due. Default 1 minute. */
    dailyReconciliationCheckMs: z.number().int().min(10).max(3_600_000).default(60_000),
    /** Folder of `reconciliation-YYYY-MM-DD.csv`. Default ERP_CSV_DIR, else `.data/erp/` (the ERP journal's). */
    reconciliationDir: z.string().min(1).optional(),
  })
  .strict();

/** The double-entry ledger: `createAccountingPlugin(options)`. */
export const createAccountingPlugin = definePlugin({
  id: 'accounting',
  description: 'Double-entry ledger of payments, refunds, reversals and payments after close',
  subscribes: { types: ['payment.created', ...BOOKED_TYPES] },
  options: accountingOptions,
  deps: {
    logger: coreServices.logger,
    metrics: coreServices.metrics,
    database: coreServices.database,
    publisher: coreServices.publisher,
    http: coreServices.httpRouter,
    scheduler: coreServices.scheduler,
    upstream: coreServices.upstream,
    config: coreServices.config,
    tracer: coreServices.tracer,
    batches: batchService,
  },
  async setup(
    { logger, metrics, database, publisher, http, scheduler, upstream, config, tracer, batches },
    options,
  ) {
    await database.migrate(ledgerMigrations);
    const db = database.db as Kysely<LedgerSchema>;
    const ledger = new Ledger(db, publisher, options.source);
    // What booking a batch must know first, read by the host with its own reads of the batch.
    batches.reads((events: readonly ConsumedEvent[]) =>
      ledger.bookingReads(events.filter((e) => !isCreated(e)) as BookedEvent[]),
    );
    // The host's query counts nothing; the plugin counts its own calls, as the gateway does.
    const aggregator = countedQuery(upstream, queryMetrics(metrics.registry), tracer);
    const entries = metrics.counter({
      name: METRIC_LEDGER_ENTRIES_TOTAL,
      help: 'Journal entries the ledger committed, by currency',
      labelNames: [LABEL_CURRENCY],
    });
    const mismatches = metrics.gauge({
      name: METRIC_LEDGER_RECONCILIATION_MISMATCHES,
      help: 'Ledger/upstream mismatches found by the last reconciliation run, by kind',
      labelNames: [LABEL_KIND],
    });
    let last: ReconciliationReport | null = null;
    const run = async (outTradeNo?: string, signal?: AbortSignal) => {
      const orders = outTradeNo ? [outTradeNo] : await ledger.recentOrders(options.reconcileBatch);
      const report = await reconcile(ledger, aggregator, orders, signal);
      // A run over one order is a spot check; only full runs move the gauge.
      if (!outTradeNo) {
        for (const kind of MISMATCH_KINDS)
          mismatches.set({ kind }, report.mismatches.filter((m) => m.kind === kind).length);
        last = report;
      }
      if (report.mismatches.length > 0)
        logger.warn(
          { mismatches: report.mismatches.length, orders: report.orders },
          'ledger reconciliation found mismatches',
        );
      return report;
    };
    // Every series exists from start-up, so `increase(...) > 0` sees the first entry of a currency.
    for (const currency of CURRENCIES) entries.inc({ currency }, 0);
    for (const kind of MISMATCH_KINDS) mismatches.set({ kind }, 0);
    if (options.reconcileIntervalMs > 0)
      scheduler.every('reconcile', options.reconcileIntervalMs, async (signal) => {
        await run(undefined, signal);
      });
    const reports = new DailyReports(db);
    const daily = new DailyReconciliation({
      db,
      ledger,
      upstream: aggregator,
      reports,
      dir: resolve(options.reconciliationDir ?? config.get('ERP_CSV_DIR') ?? '.data/erp/'),
      gauge: metrics.gauge({
        name: METRIC_RECONCILIATION_DIFFERENCES,
        help: 'Differences in the latest daily reconciliation (aggregator, gateway events, ledger), by kind',
        labelNames: [LABEL_KIND],
      }),
      logger,
    });
    await daily.start();
    if (options.dailyReconciliation)
      scheduler.every('daily-reconciliation', options.dailyReconciliationCheckMs, async (signal) => {
        await daily.runIfDue(new Date(), signal);
      });
    ledgerRoutes(
      http,
      ledger,
      { last: () => last, run: (o) => run(o) },
      { stored: (day) => reports.get(day), run: (day) => daily.run(day) },
    );
    return { ledger, entries, db };
  },
  async handle(event, { state, logger }) {
    // The gateway's word is kept before booking: an event that cannot be booked still shows in
    // the daily reconciliation, as what the gateway reported and the ledger lacks.
    await recordReported(state.db, [event]);
    if (event.type === 'payment.created') {
      await state.ledger.recordOrder(event);
      return;
    }
    const outcome = await state.ledger.book(event);
    if (outcome.kind === 'booked') {
      state.entries.inc({ currency: event.data.currency });
      logger.debug({ entryId: outcome.entry.id }, 'journal entry booked');
    } else if (outcome.kind === 'nothing') {
      logger.debug({}, 'the order holds nothing to reverse: no entry');
    } else if (outcome.reason === 'fact') {
      // Another event id for a fact already booked: the producer re-emitted it. Nothing to book.
      logger.warn({}, 'this fact is already booked under another event id');
    }
  },
  // The same effects as `handle` event after event, in the host's transaction: the ledger's reads
  // (declared in setup) come with the host's reads of the batch, and its writes are queued, so the
  // host sends them with its own records of the batch (on PostgreSQL, one statement).
  async handleBatch(events, { state, deps, logger, trx, afterCommit }) {
    const { batches } = deps;
    // In the batch's transaction: a batch that fails is rolled back and handled event by event.
    batches.write(trx, ...reportedInserts(state.db, events));
    batches.write(trx, ...state.ledger.orderInserts(events.filter(isCreated)));
    const booked = events.filter((e) => !isCreated(e)) as BookedEvent[];
    const plan = state.ledger.planBooking(booked, batches.rows(trx));
    batches.write(trx, ...plan.entries);
    batches.publish(trx, LEDGER_ENTRIES_TOPIC, plan.published);
    // Last, so the rows every booking shares are locked only until the commit that follows.
    batches.write(trx, ...plan.balances);
    const { outcomes } = plan;
    afterCommit(() => {
      let entries = 0;
      outcomes.forEach((outcome, i) => {
        const event = booked[i]!;
        if (outcome.kind === 'booked') {
          entries += 1;
          state.entries.inc({ currency: event.data.currency });
        } else if (outcome.kind === 'duplicate' && outcome.reason === 'fact')
          logger.warn(
            { eventId: event.id, type: event.type, outTradeNo: event.subject },
            'this fact is already booked under another event id',
          );
      });
      logger.debug({ events: events.length, entries }, 'journal entries booked');
    });
  },
});

const isCreated = (e: { type: string }): e is EventOf<'payment.created'> => e.type === 'payment.created';
