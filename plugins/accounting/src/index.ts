export type { BookedEvent, Booking, Held } from './chart.js';
export {
  accountCaller,
  BOOKED_TYPES,
  bookingFor,
  bookingKey,
  clearingAccount,
  heldAfter,
  LATE_PAYMENTS_ACCOUNT,
  NOTHING_HELD,
  refundsAccount,
  reversalsAccount,
  salesAccount,
} from './chart.js';
export type { CountedQuery } from './counted-upstream.js';
export { callLabels, countedQuery, queryMetrics } from './counted-upstream.js';
export type { DailyReport, DailyTotal, Difference, DifferenceKind } from './daily.js';
export { DIFFERENCE_KINDS, reconcileDay } from './daily.js';
export { dailyCsv, dailyCsvName, writeDailyCsv } from './daily-csv.js';
export type { DailyReportJson, FiguresJson } from './daily-format.js';
export { DAILY_COLUMNS, dailyJson, dailyRows } from './daily-format.js';
export { DailyReconciliation, dueDay } from './daily-run.js';
export { DailyReports } from './daily-store.js';
export { hkDayBounds, hkDayOf, isHkDay, previousHkDay } from './hk-day.js';
export type { BookOutcome, JournalEntry, OrderTotals, Totals } from './ledger.js';
export { entryIdFor, Ledger } from './ledger.js';
export { accountingOptions, createAccountingPlugin, createAccountingPlugin as default } from './plugin.js';
export type { Disagreement, Figures, Mismatch, MismatchKind, ReconciliationReport } from './reconcile.js';
export { compareOrder, MISMATCH_KINDS, reconcile } from './reconcile.js';
export type { ConsumedEvent, ReportedEvent } from './reported.js';
export { createdAt, gatewayFigures, orderOf, ordersCreatedIn, recordReported } from './reported.js';
export type { LedgerSchema } from './schema.js';
export { ledgerMigrations } from './schema.js';
