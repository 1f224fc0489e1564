// The API's shapes, named from the generated contract (generated/gateway.ts), never redeclared.
import type { components, operations } from './generated/gateway.js';

/** A payment as the gateway answers it; amounts are decimal strings in major units ("12.34"). */
export type Payment = components['schemas']['Payment'];
/** A refund as the gateway answers it. */
export type Refund = components['schemas']['Refund'];
/** An RFC 9457 problem document as the gateway sends it. */
export type ProblemDocument = components['schemas']['Problem'];
/** The body of `POST /v1/payments`. */
export type CreatePaymentInput = operations['createPayment']['requestBody']['content']['application/json'];
/** The body of `POST /v1/payments/{outTradeNo}/refunds`. */
export type RefundInput = operations['refundPayment']['requestBody']['content']['application/json'];
/** The `retry` advice of the status-code catalog. */
export type RetryAdvice = NonNullable<ProblemDocument['retry']>;

/**
 * What a call answered. `done`: the gateway recorded the outcome (created, refunded, read,
 * canceled, closed). `unknown` (HTTP 202): the aggregator did not answer and a query could not
 * tell yet; it is neither a success nor a failure. Send the same call again (the client reuses its
 * Idempotency-Key when you pass `idempotencyKey` back) or read the payment later.
 */
export type Outcome<T> =
  | {
      outcome: 'done';
      status: 200 | 201;
      value: T;
      /** The stored answer to an earlier request with the same Idempotency-Key. */
      replayed: boolean;
      idempotencyKey: string | undefined;
      attempts: number;
    }
  | {
      outcome: 'unknown';
      status: 202;
      value: T;
      /** Why the outcome is unknown, as the gateway says it. */
      detail: string | undefined;
      idempotencyKey: string | undefined;
      attempts: number;
    };
