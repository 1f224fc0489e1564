import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_FILE, loadRulesFile, parseRules } from './load.js';
import { alertAnnotations, type Observation } from './match.js';
import { runbookUrl, withRunbookBase } from './runbook.js';

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

describe('runbook_url', () => {
  it("links a code's alert to that code's page, in the repository or under the base URL", () => {
    const shipped = loadRulesFile(DEFAULT_RULES_FILE);
    const balance = shipped.find((r) => r.name === 'BalanceInsufficient')!;
    expect(alertAnnotations(balance, seen({})).runbook_url).toBe('docs/runbooks/64.md');
    expect(alertAnnotations(balance, seen({ code: '-53' })).runbook_url).toBe('docs/runbooks/-53.md');
    const [based] = withRunbookBase([balance], 'https://docs.example/paystream');
    expect(alertAnnotations(based!, seen({ code: '-53' })).runbook_url).toBe(
      'https://docs.example/paystream/docs/runbooks/-53.md',
    );
  });

  it('gives a rule without one the index of the runbooks, or the file defaults', () => {
    const [plain] = parseRules({
      rules: [{ name: 'A', kind: 'code', severity: 'info', match: { codes: ['12'] } }],
    });
    expect(plain!.runbook).toBe('docs/runbooks/README.md');
    const [defaulted] = parseRules({
      defaults: { runbook: 'docs/runbooks/{{code}}.md' },
      rules: [{ name: 'A', kind: 'code', severity: 'info', match: { codes: ['12'] } }],
    });
    expect(alertAnnotations(defaulted!, seen({ code: '12' })).runbook_url).toBe('docs/runbooks/12.md');
  });

  it('joins with one slash, and leaves URLs alone', () => {
    expect(runbookUrl('docs/runbooks/64.md', undefined)).toBe('docs/runbooks/64.md');
    expect(runbookUrl('docs/runbooks/64.md', 'https://x.example/a/')).toBe(
      'https://x.example/a/docs/runbooks/64.md',
    );
    expect(runbookUrl('/docs/runbooks/64.md', 'https://x.example/a')).toBe(
      'https://x.example/a/docs/runbooks/64.md',
    );
    expect(runbookUrl('https://wiki.example/64', 'https://x.example/a')).toBe('https://wiki.example/64');
  });
});
