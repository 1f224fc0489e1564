// A small, correct history built by hand — five orders through every kind of life the workload
// gives them — for the checker's tests to plant one bug in at a time.
import type {
  GatewayRefund,
  History,
  LedgerEntry,
  Operation,
  SandboxOrder,
  TopicRecord,
} from '../../history.js';

export const T0 = 1_760_000_000_000;

type Step =
  | { type: string; op: string }
  | { type: 'refund.succeeded' | 'refund.failed'; op: string; refundNo: string; amount: number };

interface Spec {
  no: string;
  amount: number;
  steps: Step[];
  /** The caller's operations on it, besides the create. */
  answers?: Omit<Operation, 'id' | 'outTradeNo' | 'startedAt' | 'endedAt'>[];
}

const SPECS: Spec[] = [
  {
    no: 'o-refunded',
    amount: 1000,
    steps: [
      { type: 'payment.created', op: 'create' },
      { type: 'payment.succeeded', op: 'notify' },
      { type: 'refund.succeeded', op: 'refund', refundNo: 'r1', amount: 300 },
      { type: 'refund.failed', op: 'refund', refundNo: 'r2', amount: 900 },
      { type: 'refund.succeeded', op: 'refund', refundNo: 'r3', amount: 700 },
    ],
    answers: [
      { kind: 'read', outcome: 'done', status: 200, body: { status: 'paid' } },
      { kind: 'refund', refundNo: 'r1', outcome: 'done', status: 201, body: { status: 'succeeded' } },
      { kind: 'refund', refundNo: 'r3', outcome: 'done', status: 201, body: { status: 'succeeded' } },
    ],
  },
  {
    no: 'o-closed',
    amount: 500,
    steps: [
      { type: 'payment.created', op: 'create' },
      { type: 'payment.closed', op: 'close' },
    ],
    answers: [{ kind: 'close', outcome: 'done', status: 200, body: { status: 'closed' } }],
  },
  {
    no: 'o-canceled',
    amount: 800,
    steps: [
      { type: 'payment.created', op: 'create' },
      { type: 'payment.succeeded', op: 'query' },
      { type: 'payment.canceled', op: 'cancel' },
    ],
    answers: [{ kind: 'cancel', outcome: 'done', status: 200, body: { status: 'canceled' } }],
  },
  {
    no: 'o-failed',
    amount: 200,
    steps: [{ type: 'payment.failed', op: 'create' }],
  },
  {
    no: 'o-late',
    amount: 600,
    steps: [
      { type: 'payment.created', op: 'create' },
      { type: 'payment.closed', op: 'close' },
      { type: 'payment.paid_after_close', op: 'notify' },
      { type: 'refund.succeeded', op: 'refund', refundNo: 'r1', amount: 600 },
    ],
  },
];

const STATUS_AFTER: Record<string, string> = {
  'payment.created': 'pending',
  'payment.succeeded': 'paid',
  'payment.closed': 'closed',
  'payment.canceled': 'canceled',
  'payment.failed': 'failed',
  'payment.paid_after_close': 'paid_after_close',
};

const SANDBOX_STATUS: Record<string, string> = {
  pending: 'PENDING',
  paid: 'PAID',
  paid_after_close: 'PAID',
  partially_refunded: 'PARTIALLY_REFUNDED',
  refunded: 'REFUNDED',
  canceled: 'CANCELED',
  closed: 'CLOSED',
};

function entry(
  e: TopicRecord,
  lines: [account: string, side: 'debit' | 'credit', amount: number][],
): LedgerEntry {
  return {
    id: `le_${e.id}`,
    eventId: e.id,
    eventType: e.type,
    outTradeNo: e.subject,
    ...(e.data.refundNo ? { refundNo: e.data.refundNo } : {}),
    postings: lines.map(([account, side, amountMinor]) => ({ account, side, amountMinor, currency: 'HKD' })),
  };
}

/** A history every check passes: five orders, their events, answers, final state and ledger. */
export function cleanHistory(): History {
  let clock = T0;
  const tick = () => (clock += 10);
  const payments: TopicRecord[] = [];
  const ledgerTopic: TopicRecord[] = [];
  const ledger: LedgerEntry[] = [];
  const operations: Operation[] = [];
  const refunds: GatewayRefund[] = [];
  const history: History = {
    run: { startedAt: T0, endedAt: T0 + 60_000, seconds: 60, label: 'fixture' },
    operations,
    attempts: [],
    topics: { payments, ledger: ledgerTopic },
    faults: [],
    incidents: [],
    startFailures: [],
    final: {
      gatewayOrders: [],
      gatewayRefunds: refunds,
      sandboxOrders: {},
      ledger,
      trialBalance: [],
      outbox: [],
      pluginOutboxPending: 0,
      pluginOutbox: [],
    },
  };
  const op = (o: Omit<Operation, 'id' | 'startedAt' | 'endedAt'>) => {
    const startedAt = tick();
    operations.push({ ...o, id: operations.length + 1, startedAt, endedAt: tick() });
  };

  for (const spec of SPECS) {
    let status = 'unknown';
    let refunded = 0;
    let sequence = 0;
    const upstreamRefunds: SandboxOrder['refunds'] = [];
    for (const step of spec.steps) {
      sequence += 1;
      const refund = 'refundNo' in step ? step : undefined;
      if (refund?.type === 'refund.succeeded') refunded += refund.amount;
      const record: TopicRecord = {
        topic: 'payments.events.v1',
        partition: 0,
        offset: String(payments.length),
        timestamp: tick(),
        key: spec.no,
        id: `${spec.no}-e${sequence}`,
        type: step.type,
        subject: spec.no,
        data: {
          outTradeNo: spec.no,
          sequence,
          operation: step.op,
          amountMinor: spec.amount,
          currency: 'HKD',
          ...(refund
            ? { refundNo: refund.refundNo, refundAmountMinor: refund.amount, refundedTotalMinor: refunded }
            : {}),
        },
      };
      payments.push(record);
      history.final.outbox.push({ id: record.id, subject: spec.no, sent: true });
      status = STATUS_AFTER[step.type] ?? status;
      if (refund) {
        const upstreamRef = `${spec.no}:${refund.refundNo}`;
        refunds.push({
          outTradeNo: spec.no,
          refundNo: refund.refundNo,
          amountMinor: refund.amount,
          status: refund.type === 'refund.succeeded' ? 'succeeded' : 'failed',
          upstreamRef,
        });
        if (refund.type === 'refund.succeeded') {
          status = refunded >= spec.amount ? 'refunded' : 'partially_refunded';
          upstreamRefunds.push({ refundNo: upstreamRef, amountMinor: refund.amount });
          ledger.push(
            entry(record, [
              ['income:refunds', 'debit', refund.amount],
              ['assets:clearing:WECHATHK', 'credit', refund.amount],
            ]),
          );
        }
      }
      if (step.type === 'payment.succeeded') {
        ledger.push(
          entry(record, [
            ['assets:clearing:WECHATHK', 'debit', spec.amount],
            ['income:sales', 'credit', spec.amount],
          ]),
        );
      }
      if (step.type === 'payment.canceled') {
        ledger.push(
          entry(record, [
            ['income:reversals', 'debit', spec.amount - refunded],
            ['assets:clearing:WECHATHK', 'credit', spec.amount - refunded],
          ]),
        );
      }
      if (step.type === 'payment.paid_after_close') {
        ledger.push(
          entry(record, [
            ['assets:clearing:WECHATHK', 'debit', spec.amount],
            ['liabilities:late-payments', 'credit', spec.amount],
          ]),
        );
      }
    }
    history.final.gatewayOrders.push({
      outTradeNo: spec.no,
      status,
      amountMinor: spec.amount,
      currency: 'HKD',
      refundedMinor: refunded,
      sequence,
      intent: null,
    });
    history.final.sandboxOrders[spec.no] =
      status === 'failed'
        ? null
        : {
            outTradeNo: spec.no,
            status: SANDBOX_STATUS[status]!,
            amountMinor: spec.amount,
            currency: 'HKD',
            refundedMinor: refunded,
            refunds: upstreamRefunds,
          };
    const failed = status === 'failed';
    op({
      kind: 'create',
      outTradeNo: spec.no,
      outcome: failed ? 'refused' : 'done',
      status: failed ? 422 : 201,
      body: failed
        ? { type: 'https://paystream.dev/problems/upstream-rejected', code: '-22' }
        : { status: 'pending' },
    });
    for (const answer of spec.answers ?? []) op({ ...answer, outTradeNo: spec.no });
  }
  for (const e of ledger) {
    ledgerTopic.push({
      topic: 'ledger.entries.v1',
      partition: 0,
      offset: String(ledgerTopic.length),
      timestamp: tick(),
      key: e.outTradeNo,
      id: e.id,
      type: 'ledger.entry.posted',
      subject: e.outTradeNo,
      data: { entryId: e.id, eventId: e.eventId, eventType: e.eventType },
    });
  }
  const sum = (side: 'debit' | 'credit') =>
    ledger
      .flatMap((e) => e.postings)
      .filter((p) => p.side === side)
      .reduce((s, p) => s + p.amountMinor, 0);
  history.final.trialBalance = [{ currency: 'HKD', debitMinor: sum('debit'), creditMinor: sum('credit') }];
  return history;
}

/** The copy of a topic record, sent again `laterMs` after it. */
export function copyOf(r: TopicRecord, laterMs: number, offset: string): TopicRecord {
  return { ...r, offset, timestamp: r.timestamp + laterMs, data: structuredClone(r.data) };
}
