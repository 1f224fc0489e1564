// Daily reports, one row per Hong Kong day: the last report of the day (a run replaces it) and the
// claim of a scheduled run. N hosts share the database: the claim lets one of them query the
// aggregator for a day, and a claim left by a host that died is taken over once it is stale.
import type { Kysely } from '@paystream/plugin-sdk';
import type { DailyReport } from './daily.js';
import type { LedgerSchema } from './schema.js';

export class DailyReports {
  constructor(private readonly db: Kysely<LedgerSchema>) {}

  /** The stored report of `day`, or null. */
  async get(day: string): Promise<DailyReport | null> {
    const row = await this.db
      .selectFrom('ledger_reconciliation_days')
      .select('report')
      .where('day', '=', day)
      .executeTakeFirst();
    return row?.report ? (JSON.parse(row.report) as DailyReport) : null;
  }

  /** The report of the latest day that has one. */
  async latest(): Promise<DailyReport | null> {
    const row = await this.db
      .selectFrom('ledger_reconciliation_days')
      .select('report')
      .where('report', 'is not', null)
      .orderBy('day', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.report ? (JSON.parse(row.report) as DailyReport) : null;
  }

  /** Stores the report as its day's, replacing an earlier one, and releases the day's claim. */
  async save(report: DailyReport): Promise<void> {
    const values = { report: JSON.stringify(report), generated_at: report.generatedAt, claimed_at: null };
    await this.db
      .insertInto('ledger_reconciliation_days')
      .values({ day: report.day, ...values })
      .onConflict((oc) => oc.column('day').doUpdateSet(values))
      .execute();
  }

  /**
   * Takes `day` for a scheduled run at `now`: false when its report was made after the day ended
   * (`dayEnd`), or another run holds a claim younger than `staleMs`.
   */
  async claim(day: string, dayEnd: string, now: Date, staleMs: number): Promise<boolean> {
    const at = now.toISOString();
    const inserted = await this.db
      .insertInto('ledger_reconciliation_days')
      .values({ day, report: null, generated_at: null, claimed_at: at })
      .onConflict((oc) => oc.column('day').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return true;
    const row = await this.db
      .selectFrom('ledger_reconciliation_days')
      .select(['generated_at', 'claimed_at'])
      .where('day', '=', day)
      .executeTakeFirstOrThrow();
    // A report made before the day ended (a run asked for on the day itself) is not the day's.
    if (row.generated_at !== null && row.generated_at >= dayEnd) return false;
    if (row.claimed_at !== null && Date.parse(row.claimed_at) > now.getTime() - staleMs) return false;
    // Compare-and-set on the claim read: of two hosts taking over the same stale claim, one wins.
    const updated = await this.db
      .updateTable('ledger_reconciliation_days')
      .set({ claimed_at: at })
      .where('day', '=', day)
      .where((eb) =>
        row.claimed_at === null ? eb('claimed_at', 'is', null) : eb('claimed_at', '=', row.claimed_at),
      )
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }

  /** Gives the day's claim back (a run that failed), so the next check may run it again. */
  async release(day: string): Promise<void> {
    await this.db
      .updateTable('ledger_reconciliation_days')
      .set({ claimed_at: null })
      .where('day', '=', day)
      .execute();
  }
}
