export type { BookedEvent, Booking } from './chart.js';
export { bookingFor, clearingAccount, refundsAccount, salesAccount } from './chart.js';
export type { BookOutcome, JournalEntry, Totals } from './ledger.js';
export { entryIdFor, Ledger } from './ledger.js';
export { accountingOptions, createAccountingPlugin, createAccountingPlugin as default } from './plugin.js';
export type { Mismatch, MismatchKind, ReconciliationReport } from './reconcile.js';
export { MISMATCH_KINDS, reconcile } from './reconcile.js';
export type { LedgerSchema } from './schema.js';
export { ledgerMigrations } from './schema.js';
