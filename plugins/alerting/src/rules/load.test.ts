import { catalog } from '@paystream/codes';
import { describe, expect, it } from 'vitest';
import { AlertRulesError, DEFAULT_RULES_FILE, loadRulesFile, parseRules } from './load.js';
import type { Observation } from './match.js';
import { ruleMatches } from './match.js';

const seen = (o: Partial<Observation>): Observation => ({
  eventId: 'e',
  type: 'payment.failed',
  code: '00',
  category: 'success',
  operation: 'create',
  wallet: 'WECHATHK',
  outTradeNo: 'O-1',
  amount: '10.00',
  currency: 'HKD',
  at: 0,
  ...o,
});

describe('shipped rules (rules/default.yaml)', () => {
  const rules = loadRulesFile(DEFAULT_RULES_FILE);

  it('cover every catalog entry whose alert flag is set', () => {
    const alerting = catalog.filter((e) => e.alert);
    expect(alerting.length).toBeGreaterThan(0);
    for (const entry of alerting) {
      const o = seen({ code: entry.code, category: entry.category, operation: entry.operations[0]! });
      expect(
        rules.some((r) => ruleMatches(r, o)),
        `code ${entry.code}`,
      ).toBe(true);
    }
  });

  it('make 64 critical and 80 on create a warning, not 80 elsewhere', () => {
    const on = (o: Partial<Observation>) => rules.filter((r) => r.kind === 'code' && ruleMatches(r, seen(o)));
    expect(on({ code: '64', category: 'balance', operation: 'refund' }).map((r) => r.severity)).toEqual([
      'critical',
    ]);
    expect(
      on({ code: '80', category: 'alipay_upstream', operation: 'create' }).map((r) => r.severity),
    ).toEqual(['warning']);
    expect(on({ code: '80', category: 'alipay_upstream', operation: 'query' })).toEqual([]);
  });

  it('rate code 10 at 5 in 5 minutes', () => {
    const r = rules.find((x) => x.name === 'SignatureFailures');
    expect(r).toMatchObject({ kind: 'rate', threshold: 5, window: 300_000 });
  });
});

describe('parseRules', () => {
  it('names the rule and the field of every problem, and loads nothing', () => {
    const doc = {
      rules: [
        { name: 'Fine', kind: 'code', severity: 'critical', match: { codes: ['64'] } },
        {
          name: 'BadWindow',
          kind: 'rate',
          severity: 'warning',
          match: { codes: ['10'] },
          threshold: 5,
          window: 'soon',
        },
        { name: 'NoMatch', kind: 'code', severity: 'info', match: {} },
        { name: 'Fine', kind: 'code', severity: 'loud', match: { codes: ['80'] } },
      ],
    };
    let error: unknown;
    try {
      parseRules(doc, 'my-rules.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AlertRulesError);
    const message = (error as Error).message;
    expect(message).toContain('my-rules.yaml');
    expect(message).toContain('rules[1] (BadWindow): window: must be a duration');
    expect(message).toContain('rules[2] (NoMatch): match: must name at least one');
    expect(message).toContain('rules[3] (Fine): severity');
  });

  it('refuses a duplicate name and an unknown field', () => {
    const rule = { name: 'A', kind: 'code', severity: 'critical', match: { codes: ['64'] } };
    expect(() => parseRules({ rules: [rule, rule] })).toThrow(
      /rules\[1\] \(A\): name: A is used by an earlier rule/,
    );
    expect(() => parseRules({ rules: [{ ...rule, treshold: 5 }] })).toThrow(/rules\[0\] \(A\)/);
  });

  it('applies the file defaults', () => {
    const [r] = parseRules({
      defaults: { resolveAfter: '90s', groupBy: ['code'] },
      rules: [{ name: 'A', kind: 'code', severity: 'critical', match: { codes: ['64'] } }],
    });
    expect(r).toMatchObject({ resolveAfter: 90_000, groupBy: ['code'] });
  });
});
