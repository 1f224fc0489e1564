// The aggregator's amount range, from its appendix: code -23 "transaction_amount outside
// 0.02-60000"; a refund of 0 answers -54. The gateway refuses these itself (400 naming `amount`)
// so they never reach the aggregator or the record. Written here from the contract, not imported
// from the sandbox: the two halves of a contract are written independently.

/** The smallest transaction_amount the aggregator accepts, in minor units (0.02). */
export const UPSTREAM_MIN_AMOUNT = 2;
/** The largest transaction_amount (and so refund) the aggregator accepts, in minor units (60000.00). */
export const UPSTREAM_MAX_AMOUNT = 6_000_000;
