// What an operator checks, does and whom they call, per category of the catalog (the catalog groups
// codes by what an operator does about them), with notes for the codes that need more. The
// facts (meaning, retry, severity, alerts) come from the catalog and the rules; this is the advice.
import type { Category, RetryAdvice } from '@paystream/codes';

/** Who at the aggregator, and what to give them. */
export interface Contact {
  desk: 'technical support' | 'merchant services' | 'operations' | 'nobody';
  why: string;
}

export interface Guidance {
  /** One line: what the codes of this category have in common. */
  summary: string;
  check: readonly string[];
  act: readonly string[];
  call: Contact;
}

const TRACE =
  'The call itself: Grafana **Paystream / Status codes** with `code` set to it (rate by operation, share of calls, exemplar traces), or in Tempo `{ span.paystream.upstream.code = "<code>" }`; the `upstream <operation>` span names the order (`paystream.out_trade_no`), wallet and currency.';
const ORDER =
  'The order as Paystream holds it: `GET /v1/payments/<outTradeNo>` (scope `payments:read`) shows its status, refunds and `lastCode`.';
const QUERY_FIRST =
  'Do not repeat the call blindly: it may have happened at the aggregator. The gateway settles an unknown outcome by a query (at once, and its sweep every `SWEEP_INTERVAL_MS`); read the order, and repeat only once it shows nothing was done, with the same `Idempotency-Key` and business number.';
const NO_RETRY =
  'Repeating the same request fails the same way: change the request, the configuration or the account first.';

const upstream = (summary: string): Guidance => ({
  summary,
  check: [
    TRACE,
    'How wide it is: one order, one wallet, or every call (the `PaystreamUpstreamErrorRatio` alert and the category row of the Status codes dashboard, per wallet).',
    ORDER,
  ],
  act: [
    QUERY_FIRST,
    'A burst that lasts: tell the calling services (their requests answer 502/504 with this code and `retry`), and watch the error ratio come down after the aggregator recovers.',
  ],
  call: {
    desk: 'technical support',
    why: 'when it lasts more than a few minutes or touches every call of a wallet: give them the `out_trade_no` values, the operation, the code and its message, and the times in Hong Kong time (UTC+8).',
  },
});

/** Advice per category. */
export const CATEGORY_GUIDANCE: Record<Category, Guidance> = {
  success: {
    summary: 'The call did what it asked.',
    check: ['Nothing: this is the answer every call hopes for.'],
    act: ['Nothing.'],
    call: { desk: 'nobody', why: 'Nothing is wrong.' },
  },
  request_validation: {
    summary:
      'The aggregator refused the request as malformed. The gateway validates requests before it calls (amount range and decimals, wallet, currency), so this means its request and the aggregator disagree, or the caller sent something only the aggregator checks.',
    check: [
      TRACE,
      'Which field: the message names it; compare the request with the contract in `docs/upstream-api.openapi.yaml` and the code in `packages/upstream-client`.',
      'What changed: a deploy of Paystream, a new calling service, or a change announced by the aggregator.',
    ],
    act: [
      NO_RETRY,
      "A caller's bad input: its owners fix the request (they got a 4xx or 502 with this code). A Paystream mapping bug: fix `packages/upstream-client` and roll out.",
    ],
    call: {
      desk: 'technical support',
      why: 'when the request follows the documented contract and is still refused: the API may have changed. Give them the request fields (never the signature key) and the code.',
    },
  },
  authentication: {
    summary:
      "The aggregator does not accept Paystream's credentials or signature: every call fails until they are fixed.",
    check: [
      'Whether every call fails (the Status codes dashboard: share of calls answering it near 100 %) or only some (a signature bug on one operation).',
      'The credentials the processes run with: `UPSTREAM_USER_CONFIRM_KEY` and `UPSTREAM_PRIVATE_KEY` (in Kubernetes the Secret `paystream-upstream`); a recent rotation, or a rollout that did not pick the new Secret up.',
      'For notify callbacks: `paystream_notifications_rejected_total{reason="bad_signature"}` (alert `PaystreamNotifySignatureFailures`) is the same problem in the other direction.',
    ],
    act: [
      NO_RETRY,
      'Restore the right credentials and restart the gateways and plugin hosts (a rollout). Calls refused with this code did nothing upstream: callers repeat them afterwards with the same keys.',
    ],
    call: {
      desk: 'technical support',
      why: 'to confirm which key pair is active for the merchant and whether they rotated it. Never send `private_key` or `User_Confirm_Key` themselves: name the merchant account.',
    },
  },
  merchant_account: {
    summary:
      'The aggregator cannot find the merchant or user, or has disabled it: no call for this merchant goes through.',
    check: [
      'Whether it is every call (an account problem) or after a credentials change (the wrong `UPSTREAM_USER_CONFIRM_KEY`).',
      "The merchant's status in the aggregator's merchant portal.",
    ],
    act: [
      NO_RETRY,
      'Nothing in Paystream fixes it: tell the calling services that payments are unavailable, and have the account re-enabled.',
    ],
    call: {
      desk: 'merchant services',
      why: 'your account manager: why the merchant or user is unknown or disabled, and when it is back.',
    },
  },
  merchant_config: {
    summary:
      "The merchant has no account configured at the aggregator for the wallet (WeChat Pay's mch_id, Alipay's partner): payments on that wallet cannot be created.",
    check: [
      'Which wallet: the alert and the event carry it (`wallet`), and the message names the missing field.',
      "The wallet's configuration in the aggregator's merchant portal.",
    ],
    act: [
      NO_RETRY,
      'Stop offering the wallet to customers until it is configured; other wallets are not affected.',
    ],
    call: {
      desk: 'merchant services',
      why: "your account manager, to configure the wallet's channel account.",
    },
  },
  clock: {
    summary:
      "The request's timestamp was refused: too far from the aggregator's clock (`12`), or not in the expected format (`13`).",
    check: [
      'The clocks of the nodes that run the gateway and plugin hosts (NTP: `chronyc tracking` or `timedatectl`); requests carry Hong Kong time (UTC+8), and the aggregator allows 300 s of difference.',
      'For a format error: a change in `packages/upstream-client` (the timestamp is `yyyyMMddHHmmss`).',
    ],
    act: [
      'Fix the clock. A `12` did nothing upstream and is safe to repeat once the clock is right; a `13` is a bug to fix before anything is repeated.',
    ],
    call: {
      desk: 'operations',
      why: 'as the appendix asks ("notify operations") when Paystream\'s clock is right and the aggregator still refuses: their clock may be off.',
    },
  },
  duplicate: {
    summary: 'The order or refund number is already used at the aggregator.',
    check: [
      ORDER,
      'Whether an earlier attempt of the same request succeeded: the calling service may have repeated it with a new `Idempotency-Key` but the same number.',
    ],
    act: [
      NO_RETRY,
      'The calling service reads the existing payment or refund instead, or uses a new number for a new one.',
    ],
    call: { desk: 'nobody', why: "It is the calling service's numbering: tell its owners." },
  },
  not_found: {
    summary: 'The aggregator does not know the order or refund.',
    check: [
      ORDER,
      'Whether the create was ever accepted (its trace, the `payment.created` event, `upstream_trade_no` on the order).',
    ],
    act: [
      NO_RETRY,
      'If Paystream holds an upstream trade number for it, the two sides disagree: the daily reconciliation lists it; do not refund or cancel until it is understood.',
    ],
    call: {
      desk: 'technical support',
      why: 'only when Paystream holds an upstream trade number for the order: give them both numbers and the time of the create.',
    },
  },
  refund_rule: {
    summary: "The refund's amount or reference does not fit the order at the aggregator.",
    check: [
      ORDER,
      "The order's amount, what was refunded already, and the ledger's entries for it (`GET /plugins/accounting/journal?outTradeNo=<outTradeNo>`, scope `ledger:read`); the daily reconciliation if the two sides may disagree.",
    ],
    act: [NO_RETRY, 'The calling service corrects the refund (amount, or the order it refers to).'],
    call: {
      desk: 'nobody',
      why: "The request broke a refund rule. Call technical support only if the aggregator's amounts disagree with Paystream's.",
    },
  },
  cancel_rule: {
    summary:
      'The order is in a state that cannot be refunded or canceled (already canceled, closed, or not paid).',
    check: [
      ORDER,
      'What the aggregator says about the order now: a query (`GET /v1/payments/<outTradeNo>` refreshes it).',
    ],
    act: [
      NO_RETRY,
      'Nothing to refund or cancel in that state. If a payment arrives later for a closed or canceled order, the `PaymentAfterClose` alert and docs/operations.md#paid-after-close take over.',
    ],
    call: { desk: 'nobody', why: 'The request does not fit the order.' },
  },
  close_rule: {
    summary: 'The order could not be closed: it is paid, or it is not from today.',
    check: [ORDER],
    act: [
      NO_RETRY,
      'A paid order is a payment: refund it if the customer must get the money back. An older unpaid order is canceled, not closed.',
    ],
    call: { desk: 'nobody', why: 'The request does not fit the order.' },
  },
  balance: {
    summary:
      "The merchant's base account at the aggregator cannot fund the refund or cancel: money cannot be given back until it is topped up.",
    check: [
      'Which refunds are blocked: the `BalanceInsufficient` alert names the order and refund, and [the walk-through in docs/operations.md](../operations.md#code-64) goes from the page to the refund that caused it.',
      "The balance in the aggregator's merchant portal, and when the next settlement moves money out of it.",
    ],
    act: [
      'Top up the base account. The refunds refused did not happen: the calling service repeats them with the same `refundNo` once the account is funded.',
    ],
    call: {
      desk: 'merchant services',
      why: "your account manager or the aggregator's finance desk, to top up the base account or change the settlement schedule.",
    },
  },
  cancel_upstream: upstream(
    'The aggregator could not complete the cancel: whether it happened is unknown until a query says.',
  ),
  refund_upstream: upstream(
    'The aggregator could not complete the refund, or tell its outcome: whether it happened is unknown until a query says.',
  ),
  wechat_upstream: upstream(
    'WeChat Pay, behind the aggregator, failed or answered what the aggregator could not read: the outcome is unknown until a query says.',
  ),
  alipay_upstream: upstream(
    'Alipay, behind the aggregator, failed, or its exchange rate or clock could not be had: the outcome may be unknown until a query says.',
  ),
  qr_upstream: upstream(
    "The aggregator could not get the payment's QR code from the wallet: whether the order exists upstream is unknown until a query says.",
  ),
  system: upstream(
    'The aggregator failed inside (a system or database error): the outcome of the call is unknown until a query says.',
  ),
  unknown: {
    summary:
      'The aggregator answered a code its appendix does not list; Paystream carries it as category `unknown`.',
    check: [
      'The code and its message: the `UnknownUpstreamCode` alert, the event (`code`, `message`) and the `upstream <operation>` span carry them.',
    ],
    act: [
      'Treat the call as unknown: read the order before repeating anything. Once the meaning is confirmed, add the code to `packages/codes/src/catalog-data.ts` (and the appendix seed) and regenerate the runbooks.',
    ],
    call: {
      desk: 'technical support',
      why: 'for the meaning of the code and whether the call did anything.',
    },
  },
};

/** Extra advice for single codes, shown before their category's. */
export const CODE_NOTES: Readonly<Record<string, { check?: readonly string[]; act?: readonly string[] }>> = {
  '64': {
    check: [
      'The walk-through from the page to the refund that caused it: [docs/operations.md](../operations.md#code-64).',
    ],
  },
  '-53': {
    check: [
      'Same as `64`: [docs/operations.md](../operations.md#code-64) walks from the page to the refund.',
    ],
  },
  '80': {
    act: [
      'Alipay creates fail until the aggregator gets the exchange rate again; repeating later is safe (the catalog marks it `retry: safe`), and the client does it by itself. WeChat Pay is not affected.',
    ],
  },
  '10': {
    check: [
      'Whether it is requests (the `upstream` spans) or notify callbacks (`paystream_notifications_rejected_total`); a few in a burst after a key rotation mean one side still signs with the old key.',
    ],
  },
  '62': {
    check: [
      "The aggregator could not verify what WeChat Pay returned: not Paystream's signature. Watch whether it spreads across orders.",
    ],
  },
  '52': {
    act: [
      'The refund may have gone through: query it (`GET /v1/payments/<outTradeNo>` shows the refund after the gateway queried) before anything is repeated.',
    ],
  },
  '24': { check: ['Which variant: the message says timeout, processing or communication.'] },
};

/** What the catalog's retry advice means for the person on call. */
export const RETRY_ADVICE: Record<RetryAdvice, string> = {
  never: 'no: the same request fails the same way (the client never repeats it).',
  after_query:
    'only after a query: the call may have happened at the aggregator. The gateway queries before creating again, so a repeat with the same `Idempotency-Key` never charges twice.',
  safe: 'yes: nothing was done at the aggregator; the same request may be sent again (the client does, with backoff).',
};

/** What each desk at the aggregator is for (the index page lists them). */
export const DESKS: Record<Exclude<Contact['desk'], 'nobody'>, string> = {
  'technical support':
    'the API and its answers: system and upstream errors, refused requests that follow the contract, codes the appendix does not list, credentials and signatures',
  'merchant services':
    "the merchant's account: status, wallet configuration (mch_id, partner), the base account's balance and settlements",
  operations: 'the platform itself, as the appendix says for clock errors ("notify operations")',
};
