import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_FILE, loadRulesFile, parseRules } from './load.js';
import {
  alertAnnotations,
  alertLabels,
  fingerprint,
  type Observation,
  repeatAnnotations,
  ruleMatches,
} from './match.js';

const seen = (o: Partial<Observation>): Observation => ({
  eventId: 'e',
  type: 'refund.failed',
  code: '64',
  category: 'balance',
  operation: 'refund',
  wallet: 'WECHATHK',
  outTradeNo: 'O-1',
  amount: '10.00',
  currency: 'HKD',
  at: 0,
  ...o,
});

const rules = loadRulesFile(DEFAULT_RULES_FILE);
const rule = (name: string) => rules.find((r) => r.name === name)!;

describe('alert identity', () => {
  it('keeps a 64 on a cancel apart from the refunds blocked by 64', () => {
    const r = rule('BalanceInsufficient');
    const refund = alertLabels(r, seen({ refundNo: 'R-1' }));
    const cancel = alertLabels(
      r,
      seen({ type: 'payment.cancel_failed', operation: 'cancel', outTradeNo: 'O-2' }),
    );
    expect(refund).toEqual({
      alertname: 'BalanceInsufficient',
      severity: 'critical',
      code: '64',
      category: 'balance',
      wallet: 'WECHATHK',
      operation: 'refund',
      service: 'paystream',
    });
    expect(cancel.operation).toBe('cancel');
    expect(fingerprint(cancel)).not.toBe(fingerprint(refund));
    expect(alertAnnotations(r, seen({ operation: 'cancel' })).summary).toBe(
      'Money cannot be given back: the merchant balance is insufficient (cancel answered 64, WECHATHK)',
    );
  });

  it('groups by the operation when a rule file says nothing', () => {
    const [r] = parseRules({
      rules: [{ name: 'A', kind: 'code', severity: 'info', match: { codes: ['64'] } }],
    });
    expect(r!.groupBy).toEqual(['code', 'category', 'wallet', 'operation']);
  });

  it('raises a critical alert per order for a payment after close, naming the order, wallet and amount', () => {
    const late = seen({
      type: 'payment.paid_after_close',
      code: '00',
      category: 'success',
      operation: 'notify',
      wallet: 'ALIPAYHK',
      outTradeNo: '-A2-642',
      amount: '25.00',
    });
    const matching = rules.filter((r) => ruleMatches(r, late));
    expect(matching.map((r) => r.name)).toEqual(['PaymentAfterClose']);
    const r = matching[0]!;
    expect(alertLabels(r, late)).toEqual({
      alertname: 'PaymentAfterClose',
      severity: 'critical',
      code: '00',
      category: 'success',
      wallet: 'ALIPAYHK',
      operation: 'notify',
      outTradeNo: '-A2-642',
      service: 'paystream',
    });
    expect(fingerprint(alertLabels(r, { ...late, outTradeNo: 'other' }))).not.toBe(
      fingerprint(alertLabels(r, late)),
    );
    const a = alertAnnotations(r, late);
    expect(a).toMatchObject({ outTradeNo: '-A2-642', wallet: 'ALIPAYHK', amount: '25.00 HKD' });
    expect(a.summary).toBe(
      'A payment arrived after order -A2-642 was closed or canceled: 25.00 HKD on ALIPAYHK',
    );
  });
});

describe('repeat annotations', () => {
  it('carry only the latest occurrence’s own fields beside the first one’s', () => {
    const r = rule('BalanceInsufficient');
    const first = {
      ...alertAnnotations(r, seen({ refundNo: 'R-1', refundAmount: '1.00' })),
      occurrences: '1',
    };
    const second = repeatAnnotations(
      first,
      seen({ outTradeNo: 'O-2', eventId: 'e2', refundNo: 'R-2', refundAmount: '2.00' }),
      2,
    );
    expect(second).toMatchObject({
      outTradeNo: 'O-1',
      refundNo: 'R-1',
      occurrences: '2',
      lastOutTradeNo: 'O-2',
      lastEventId: 'e2',
      lastOperation: 'refund',
      lastRefundNo: 'R-2',
      lastRefundAmount: '2.00 HKD',
    });
    // A later occurrence without a refund (a custom rule grouping operations together) drops the
    // previous one's refund instead of pairing it with another order.
    const third = repeatAnnotations(
      second,
      seen({ outTradeNo: 'O-3', eventId: 'e3', operation: 'cancel' }),
      3,
    );
    expect(third.lastOutTradeNo).toBe('O-3');
    expect(third.lastOperation).toBe('cancel');
    expect(third).not.toHaveProperty('lastRefundNo');
    expect(third).not.toHaveProperty('lastRefundAmount');
    expect(third).toMatchObject({ outTradeNo: 'O-1', refundNo: 'R-1', occurrences: '3' });
  });
});
