// Producing a day's reconciliation — asked for on the route or due on the schedule — and what
// every run leaves behind: the stored report, the CSV beside the ERP journal, the gauge.
import type { Kysely, PluginLogger } from '@paystream/plugin-sdk';
import type { CountedQuery } from './counted-upstream.js';
import { type DailyReport, DIFFERENCE_KINDS, reconcileDay } from './daily.js';
import { writeDailyCsv } from './daily-csv.js';
import { dailyJson } from './daily-format.js';
import type { DailyReports } from './daily-store.js';
import { hkDayBounds, hkDayOf, previousHkDay } from './hk-day.js';
import type { Ledger } from './ledger.js';
import type { LedgerSchema } from './schema.js';

// Events of an order paid at 23:59:59 take a moment to reach the ledger: the previous day is
// reconciled from 00:30 Hong Kong time on, not at midnight.
const SETTLE_MS = 30 * 60 * 1000;
// A scheduled run that has held its day this long is taken for dead (its host crashed).
const STALE_CLAIM_MS = 60 * 60 * 1000;

/** The day a scheduled run is for at `now`: the previous Hong Kong day, from 00:30 HKT on. */
export function dueDay(now: Date): string {
  return previousHkDay(hkDayOf(new Date(now.getTime() - SETTLE_MS)));
}

export interface DailyDeps {
  db: Kysely<LedgerSchema>;
  ledger: Ledger;
  upstream: CountedQuery;
  reports: DailyReports;
  /** Where `reconciliation-YYYY-MM-DD.csv` goes (the ERP journal's folder). */
  dir: string;
  /** `paystream_reconciliation_differences{kind}`. */
  gauge: { set(labels: { kind: string }, value: number): void };
  logger: PluginLogger;
}

export class DailyReconciliation {
  /** The day the gauge shows: the latest day reconciled (a run for an older day leaves it). */
  private shownDay = '';

  constructor(private readonly deps: DailyDeps) {}

  /** Every kind at 0, then the latest stored report's differences (a restart does not clear them). */
  async start(): Promise<void> {
    for (const kind of DIFFERENCE_KINDS) this.deps.gauge.set({ kind }, 0);
    await this.showLatest();
  }

  /** The gauge from the latest stored report: a run on another host sharing the database shows here too. */
  async showLatest(): Promise<void> {
    const latest = await this.deps.reports.latest();
    if (latest) this.show(latest);
  }

  /** Reconciles `day` now: stores the report, writes the CSV, moves the gauge. */
  async run(day: string, signal?: AbortSignal): Promise<DailyReport> {
    const { db, ledger, upstream, reports, dir, logger } = this.deps;
    const report = await reconcileDay(db, ledger, upstream, day, signal);
    // The file first: a run whose file could not be written is not stored, so the schedule retries.
    const path = writeDailyCsv(dir, dailyJson(report));
    await reports.save(report);
    this.show(report);
    const summary = { day, orders: report.orders, differences: report.differences.length, path };
    if (report.differences.length > 0) logger.warn(summary, 'daily reconciliation found differences');
    else logger.info(summary, 'daily reconciliation agrees');
    return report;
  }

  /** The scheduled check: the gauge brought up to date, and the due day run once, by whichever host claims it first. */
  async runIfDue(now: Date, signal?: AbortSignal): Promise<DailyReport | null> {
    await this.showLatest();
    const day = dueDay(now);
    if (!(await this.deps.reports.claim(day, hkDayBounds(day).to, now, STALE_CLAIM_MS))) return null;
    try {
      return await this.run(day, signal);
    } catch (err) {
      await this.deps.reports.release(day);
      throw err;
    }
  }

  private show(report: DailyReport): void {
    if (report.day < this.shownDay) return;
    this.shownDay = report.day;
    for (const kind of DIFFERENCE_KINDS)
      this.deps.gauge.set({ kind }, report.differences.filter((d) => d.kind === kind).length);
  }
}
