// What a payment or refund request came to, in the domain's words. The HTTP adapter
// (routes/answers.ts) alone decides which status each one is.
import type { PaymentView, RefundView } from './views.js';

export type PaymentOutcome =
  /** This request made the order exist upstream (or found that an earlier attempt had). */
  | { kind: 'created'; payment: PaymentView }
  /** Nothing to do or nothing new: the order as recorded (and refreshed) now. */
  | { kind: 'current'; payment: PaymentView }
  /** The aggregator did not answer and a query could not tell yet: neither done nor failed. */
  | { kind: 'unknown'; payment: PaymentView; detail: string }
  /** The aggregator could not be asked: the stored record, and why. */
  | { kind: 'stale'; payment: PaymentView; detail: string; queryCode?: string };

export type RefundOutcome =
  | { kind: 'created'; refund: RefundView }
  | { kind: 'current'; refund: RefundView }
  | { kind: 'unknown'; refund: RefundView; detail: string };
