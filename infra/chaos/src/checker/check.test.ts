// The checker catches a planted bug of every kind it checks, and only that bug: each test takes a
// correct history, breaks one promise, and expects exactly the anomalies that promise names.
import { describe, expect, it } from 'vitest';
import type { FaultRecord } from '../history.js';
import { cleanHistory, copyOf, T0 } from './__fixtures__/history.js';
import { checkHistory } from './check.js';
import { formatCheck } from './report.js';

const payment = (h: ReturnType<typeof cleanHistory>, id: string) =>
  h.topics.payments.find((r) => r.id === id)!;

describe('checkHistory', () => {
  it('passes a correct history and counts what it saw', () => {
    const result = checkHistory(cleanHistory());
    expect(result.anomalies).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.counts).toMatchObject({
      operations: 10,
      operationsByKind: { create: 5, read: 1, refund: 2, close: 1, cancel: 1 },
      outcomes: { done: 9, refused: 1 },
      orders: 5,
      events: { payments: 15, paymentIds: 15, ledger: 7, ledgerIds: 7 },
      journalEntries: 7,
      resends: { payments: {}, ledger: {} },
    });
    expect(Object.values(result.counts.anomalies).every((n) => n === 0)).toBe(true);
  });

  it('catches a doubled event: one id twice on payments.events.v1, no crash to explain it', () => {
    const h = cleanHistory();
    h.topics.payments.push(copyOf(payment(h, 'o-refunded-e2'), 500, '99'));
    expect(checkHistory(h).anomalies).toEqual([
      {
        kind: 'duplicate-event',
        outTradeNo: 'o-refunded',
        step: 'payment.succeeded o-refunded-e2',
        detail:
          'event o-refunded-e2 is on payments.events.v1 twice (payments.events.v1/0@99 (first at 0@1)), and no crash explains it',
      },
    ]);
  });

  it('takes a copy re-sent after a gateway crash as the relay re-sending its batch', () => {
    const h = cleanHistory();
    const first = payment(h, 'o-refunded-e2');
    h.topics.payments.push(copyOf(first, 500, '99'));
    const crash = { kind: 'gateway' as const, member: 'gateway-1', at: first.timestamp + 100 };
    h.faults.push({
      kind: 'gateway-kill',
      target: 'gateway-1',
      startedAt: crash.at,
      endedAt: crash.at + 5000,
      evidence: ['gateway-1 exited on SIGKILL'],
      crashes: [crash],
    });
    const result = checkHistory(h);
    expect(result.anomalies).toEqual([]);
    expect(result.counts.resends.payments).toEqual({ [`gateway-1@${new Date(crash.at).toISOString()}`]: 1 });
  });

  it('does not take a copy as a re-send when only a plugin host crashed', () => {
    const h = cleanHistory();
    const first = payment(h, 'o-refunded-e2');
    h.topics.payments.push(copyOf(first, 500, '99'));
    h.faults.push({
      kind: 'host-kill',
      startedAt: first.timestamp,
      endedAt: first.timestamp + 5000,
      evidence: ['plugin-host-0 exited on SIGKILL'],
      crashes: [{ kind: 'plugin-host', member: 'plugin-host-0', at: first.timestamp + 100 }],
    });
    expect(checkHistory(h).anomalies.map((a) => a.kind)).toEqual(['duplicate-event']);
  });

  it('catches one transition recorded twice under two ids', () => {
    const h = cleanHistory();
    const again = { ...copyOf(payment(h, 'o-canceled-e2'), 5, '98'), id: 'o-canceled-e2b' };
    again.data.sequence = 4;
    h.topics.payments.push(again);
    h.final.outbox.push({ id: again.id, subject: 'o-canceled', sent: true });
    h.final.gatewayOrders.find((o) => o.outTradeNo === 'o-canceled')!.sequence = 4;
    expect(checkHistory(h).anomalies).toEqual([
      {
        kind: 'transition-twice',
        outTradeNo: 'o-canceled',
        step: '#4 payment.succeeded (query)',
        detail: 'payment.succeeded while the order is canceled',
      },
    ]);
  });

  it('catches a skipped sequence', () => {
    const h = cleanHistory();
    // The gateway handed out 3 for the close, never 2: the same numbers in its outbox and on the topic.
    payment(h, 'o-closed-e2').data.sequence = 3;
    h.final.gatewayOrders.find((o) => o.outTradeNo === 'o-closed')!.sequence = 3;
    expect(checkHistory(h).anomalies).toEqual([
      {
        kind: 'sequence-gap',
        outTradeNo: 'o-closed',
        step: 'after #1 payment.created (create)',
        detail: "sequence 2 is missing (the order's events go up to 3)",
      },
    ]);
  });

  it('catches an event the gateway recorded that never reached the topic', () => {
    const h = cleanHistory();
    h.topics.payments = h.topics.payments.filter((r) => r.id !== 'o-closed-e2');
    const kinds = checkHistory(h).anomalies.map((a) => [a.kind, a.outTradeNo, a.step]);
    expect(kinds).toEqual([
      ['events-vs-gateway', 'o-closed', '#1 payment.created (create)'],
      ['sequence-gap', 'o-closed', 'after #1 payment.created (create)'],
      ['event-lost', 'o-closed', 'outbox o-closed-e2'],
    ]);
  });

  it('catches a status moved back: a lagging query closing a paid order', () => {
    const h = cleanHistory();
    const paid = payment(h, 'o-canceled-e2');
    const closed = { ...copyOf(paid, 1, '97'), id: 'o-canceled-e2c', type: 'payment.closed' };
    closed.data.sequence = 3;
    payment(h, 'o-canceled-e3').data.sequence = 4;
    h.topics.payments.push(closed);
    h.final.outbox.push({ id: closed.id, subject: 'o-canceled', sent: true });
    h.final.gatewayOrders.find((o) => o.outTradeNo === 'o-canceled')!.sequence = 4;
    expect(checkHistory(h).anomalies).toEqual([
      {
        kind: 'moved-back',
        outTradeNo: 'o-canceled',
        step: '#3 payment.closed (query)',
        detail: 'payment.closed while the order is paid',
      },
    ]);
  });

  it('catches a refund that succeeds twice', () => {
    const h = cleanHistory();
    const r1 = payment(h, 'o-refunded-e3');
    const again = { ...copyOf(r1, 1, '96'), id: 'o-refunded-e3b' };
    again.data.sequence = 6;
    h.topics.payments.push(again);
    h.final.outbox.push({ id: again.id, subject: 'o-refunded', sent: true });
    h.final.gatewayOrders.find((o) => o.outTradeNo === 'o-refunded')!.sequence = 6;
    expect(checkHistory(h).anomalies).toEqual([
      {
        kind: 'refund-not-a-path',
        outTradeNo: 'o-refunded',
        step: '#6 refund.succeeded refund r1 (refund)',
        detail: 'refund.succeeded while refund r1 is succeeded',
      },
    ]);
  });

  it('catches a ledger entry published twice on ledger.entries.v1', () => {
    const h = cleanHistory();
    const entry = h.topics.ledger[0]!;
    h.topics.ledger.push(copyOf(entry, 800, '50'));
    expect(checkHistory(h).anomalies).toEqual([
      {
        kind: 'ledger-entry-duplicate',
        outTradeNo: 'o-refunded',
        step: 'ledger.entry.posted le_o-refunded-e2',
        detail:
          'event le_o-refunded-e2 is on ledger.entries.v1 twice (ledger.entries.v1/0@50 (first at 0@0)), and no crash explains it',
      },
    ]);
  });

  it('catches a ledger entry missing from ledger.entries.v1, and one there the journal does not hold', () => {
    const h = cleanHistory();
    h.topics.ledger[1]!.id = 'le_stray';
    expect(checkHistory(h).anomalies.map((a) => [a.kind, a.outTradeNo, a.step])).toEqual([
      ['ledger-entry-missing', 'o-refunded', 'refund.succeeded le_o-refunded-e3'],
      ['ledger-entry-unbooked', 'o-refunded', 'refund.succeeded le_stray'],
    ]);
  });

  it('says where a missing ledger entry was lost: sent from the plugin outbox, never on the topic', () => {
    const h = cleanHistory();
    h.topics.ledger = h.topics.ledger.filter((r) => r.id !== 'le_o-late-e3');
    h.final.pluginOutbox.push({
      eventId: 'le_o-late-e3',
      topic: 'ledger.entries.v1',
      position: 7,
      createdAt: '2025-10-09T08:53:20.000Z',
      sentAt: '2025-10-09T08:53:20.050Z',
    });
    expect(checkHistory(h).anomalies).toEqual([
      {
        kind: 'ledger-entry-missing',
        outTradeNo: 'o-late',
        step: 'payment.paid_after_close le_o-late-e3',
        detail:
          'journal entry le_o-late-e3 is not on ledger.entries.v1: its plugin outbox row 7 was marked sent at 2025-10-09T08:53:20.050Z',
      },
    ]);
  });

  it('catches gateway ≠ sandbox', () => {
    const h = cleanHistory();
    h.final.sandboxOrders['o-closed']!.status = 'PAID';
    h.final.sandboxOrders['o-refunded']!.refundedMinor = 300;
    h.final.sandboxOrders['o-refunded']!.refunds.pop();
    const found = checkHistory(h).anomalies.filter((a) => a.kind.endsWith('-vs-sandbox'));
    expect(found).toEqual([
      {
        kind: 'gateway-vs-sandbox',
        outTradeNo: 'o-closed',
        step: 'gateway closed',
        detail: 'gateway ≠ aggregator: status closed ≠ PAID',
      },
      {
        kind: 'gateway-vs-sandbox',
        outTradeNo: 'o-refunded',
        step: 'gateway refunded',
        detail: 'gateway ≠ aggregator: refunded 1000 ≠ 300',
      },
      {
        kind: 'refund-vs-sandbox',
        outTradeNo: 'o-refunded',
        step: 'refund r3',
        detail: 'the gateway recorded refund r3 succeeded; the aggregator never made it',
      },
      {
        kind: 'ledger-vs-sandbox',
        outTradeNo: 'o-closed',
        step: 'no entry',
        detail: 'the ledger took in 0 and gave back 0; the aggregator (PAID) was paid 500 and gave back 0',
      },
      {
        kind: 'ledger-vs-sandbox',
        outTradeNo: 'o-refunded',
        step: 'payment.succeeded le_o-refunded-e2',
        detail:
          'the ledger took in 1000 and gave back 1000; the aggregator (REFUNDED) was paid 1000 and gave back 300',
      },
      {
        kind: 'ledger-vs-sandbox',
        step: 'HKD',
        detail: "HKD: the ledger's clearing holds 0, the aggregator 1200",
      },
    ]);
  });

  it('catches an order the aggregator holds that the gateway never recorded', () => {
    const h = cleanHistory();
    h.final.gatewayOrders = h.final.gatewayOrders.filter((o) => o.outTradeNo !== 'o-closed');
    const found = checkHistory(h).anomalies.filter((a) => a.kind === 'gateway-vs-sandbox');
    expect(found).toEqual([
      {
        kind: 'gateway-vs-sandbox',
        outTradeNo: 'o-closed',
        step: 'no gateway row',
        detail: 'the aggregator holds the order (CLOSED); the gateway has no record of it',
      },
    ]);
  });

  it('catches ledger ≠ sandbox: a refund the ledger never booked', () => {
    const h = cleanHistory();
    h.final.ledger = h.final.ledger.filter((e) => e.id !== 'le_o-late-e4');
    h.topics.ledger = h.topics.ledger.filter((e) => e.id !== 'le_o-late-e4');
    const debit = h.final.trialBalance[0]!;
    debit.debitMinor -= 600;
    debit.creditMinor -= 600;
    expect(checkHistory(h).anomalies).toEqual([
      {
        kind: 'ledger-vs-sandbox',
        outTradeNo: 'o-late',
        step: 'payment.paid_after_close le_o-late-e3',
        detail:
          'the ledger took in 600 and gave back 0; the aggregator (REFUNDED) was paid 600 and gave back 600',
      },
      {
        kind: 'ledger-vs-sandbox',
        step: 'HKD',
        detail: "HKD: the ledger's clearing holds 600, the aggregator 0",
      },
    ]);
  });

  it('catches an unbalanced trial balance', () => {
    const h = cleanHistory();
    h.final.trialBalance[0]!.creditMinor += 1;
    expect(checkHistory(h).anomalies).toEqual([
      { kind: 'trial-balance', step: 'HKD', detail: 'HKD: debits 4800 ≠ credits 4801' },
    ]);
  });

  it('catches a caller told canceled whose order ended paid', () => {
    const h = cleanHistory();
    h.final.gatewayOrders.find((o) => o.outTradeNo === 'o-canceled')!.status = 'paid';
    h.final.sandboxOrders['o-canceled']!.status = 'PAID';
    const found = checkHistory(h).anomalies.filter((a) => a.kind === 'answer-contradicts');
    expect(found).toEqual([
      {
        kind: 'answer-contradicts',
        outTradeNo: 'o-canceled',
        step: 'operation 8: cancel answered 200 canceled',
        detail: 'the caller was told canceled; the order ended paid',
      },
    ]);
  });

  it('catches a 201 whose order does not exist upstream', () => {
    const h = cleanHistory();
    const created = { ...copyOf(payment(h, 'o-closed-e1'), 1, '95'), id: 'o-ghost-e1', subject: 'o-ghost' };
    created.data.outTradeNo = 'o-ghost';
    h.topics.payments.push(created);
    h.final.outbox.push({ id: created.id, subject: 'o-ghost', sent: true });
    h.operations.push({
      id: 11,
      kind: 'create',
      outTradeNo: 'o-ghost',
      startedAt: T0,
      endedAt: T0 + 5,
      outcome: 'done',
      status: 201,
      body: { status: 'pending' },
    });
    h.final.gatewayOrders.push({
      outTradeNo: 'o-ghost',
      status: 'pending',
      amountMinor: 100,
      currency: 'HKD',
      refundedMinor: 0,
      sequence: 1,
      intent: null,
    });
    h.final.sandboxOrders['o-ghost'] = null;
    expect(checkHistory(h).anomalies.map((a) => [a.kind, a.outTradeNo, a.step])).toEqual([
      ['gateway-vs-sandbox', 'o-ghost', 'gateway pending'],
      ['answer-contradicts', 'o-ghost', 'operation 11: create answered 201 pending'],
    ]);
  });

  it('catches a caller error during the rolling restart, and a fault with no evidence', () => {
    const h = cleanHistory();
    const deploy: FaultRecord = {
      kind: 'rolling-restart',
      startedAt: T0,
      endedAt: T0 + 1_000,
      evidence: ['gateway-0 drained and exited 0'],
      crashes: [],
    };
    h.faults.push(deploy, { kind: 'pg-terminate', startedAt: T0, endedAt: T0, evidence: [], crashes: [] });
    h.operations.push({
      id: 11,
      kind: 'read',
      outTradeNo: 'o-closed',
      startedAt: T0 + 100,
      endedAt: T0 + 200,
      outcome: 'error',
      body: 'PaystreamUnavailableError: no answer',
    });
    expect(checkHistory(h, { expectFaults: ['rolling-restart', 'leader-kill'] }).anomalies).toEqual([
      {
        kind: 'caller-error-in-deploy',
        outTradeNo: 'o-closed',
        step: 'operation 11: read answered error',
        detail: 'a caller saw PaystreamUnavailableError: no answer during the rolling restart',
      },
      {
        kind: 'fault-not-shown',
        step: 'pg-terminate',
        detail: `the pg-terminate at ${new Date(T0).toISOString()} left no evidence that it happened`,
      },
      { kind: 'fault-not-shown', step: 'leader-kill', detail: 'no leader-kill happened during the run' },
    ]);
  });

  it('catches a process that died with no fault ending it', () => {
    const h = cleanHistory();
    h.incidents.push({
      member: 'gateway-1',
      at: T0,
      code: 1,
      signal: null,
      stderr: "node:events:505\n    throw er; // Unhandled 'error' event\nError: read ECONNRESET\n",
    });
    expect(checkHistory(h).anomalies).toEqual([
      {
        kind: 'process-died',
        step: 'gateway-1',
        detail: `gateway-1 died at ${new Date(T0).toISOString()} (1) with no fault ending it: node:events:505 |     throw er; // Unhandled 'error' event | Error: read ECONNRESET`,
      },
    ]);
  });

  it('catches a process that died while starting', () => {
    const h = cleanHistory();
    h.startFailures.push({
      member: 'plugin-host-2',
      at: T0,
      code: 1,
      signal: null,
      stderr: 'KafkaJSConnectionError: Connection error: connect ECONNREFUSED 127.0.0.1:29092\n',
    });
    expect(checkHistory(h).anomalies).toEqual([
      {
        kind: 'start-failed',
        step: 'plugin-host-2',
        detail: `plugin-host-2 died while starting at ${new Date(T0).toISOString()} (1): KafkaJSConnectionError: Connection error: connect ECONNREFUSED 127.0.0.1:29092`,
      },
    ]);
  });

  it('prints counts and each anomaly with its order and first bad step', () => {
    const h = cleanHistory();
    h.topics.payments.push(copyOf(payment(h, 'o-refunded-e2'), 500, '99'));
    const lines = formatCheck(checkHistory(h));
    expect(lines).toEqual([
      'operations 10 (cancel 1, close 1, create 5, read 1, refund 2)',
      'outcomes   done 9, refused 1',
      'orders     5',
      'events     payments.events.v1 16 records, 15 ids; ledger.entries.v1 7 records, 7 ids; journal 7 entries',
      're-sent    after crashes: payments 0, ledger 0',
      'faults     none',
      'restarts   0 processes died while starting and were started again',
      'anomalies  1 (duplicate-event 1)',
      '  duplicate-event: o-refunded: payment.succeeded o-refunded-e2: event o-refunded-e2 is on payments.events.v1 twice (payments.events.v1/0@99 (first at 0@1)), and no crash explains it',
    ]);
  });
});
