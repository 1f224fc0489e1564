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
export type { BookOutcome, JournalEntry, OrderTotals, Totals } from './ledger.js';
export { entryIdFor, Ledger } from './ledger.js';
export { accountingOptions, createAccountingPlugin, createAccountingPlugin as default } from './plugin.js';
export type { Mismatch, MismatchKind, ReconciliationReport } from './reconcile.js';
export { MISMATCH_KINDS, reconcile } from './reconcile.js';
export type { LedgerSchema } from './schema.js';
export { ledgerMigrations } from './schema.js';
