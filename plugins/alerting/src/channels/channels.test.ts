import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../dispatch.js';
import { alertmanagerAlert } from './alertmanager.js';
import { logChannel } from './log.js';
import type { AlertNotice } from './types.js';
import { slackBody, standardBody } from './webhook.js';

const notice: AlertNotice = {
  fingerprint: 'f1',
  rule: 'BalanceInsufficient',
  status: 'firing',
  version: 1,
  labels: {
    alertname: 'BalanceInsufficient',
    severity: 'critical',
    code: '64',
    category: 'balance',
    wallet: 'WECHATHK',
  },
  annotations: { summary: 'Refunds are blocked', outTradeNo: 'O-1', refundNo: 'R-1' },
  startsAt: Date.parse('2026-01-01T00:00:00Z'),
  endsAt: null,
};

describe('Standard Webhooks signing', () => {
  it('matches the known-answer vector of the Standard Webhooks spec', () => {
    // From the spec's reference vectors, not computed by the code under test.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const sig = new Webhook(secret).sign(
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      new Date(1614265330_000),
      '{"test": 2432232314}',
    );
    expect(sig).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    const independent = createHmac('sha256', Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64'))
      .update('msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}')
      .digest('base64');
    expect(sig).toBe(`v1,${independent}`);
  });
});

describe('channel bodies', () => {
  it('posts a firing alert to Alertmanager with endsAt four re-sends ahead, a resolved one with its end', () => {
    const now = Date.parse('2026-01-01T00:10:00Z');
    expect(alertmanagerAlert(notice, 60_000, now).endsAt).toBe('2026-01-01T00:14:00.000Z');
    const resolved = { ...notice, status: 'resolved' as const, endsAt: Date.parse('2026-01-01T00:09:00Z') };
    expect(alertmanagerAlert(resolved, 60_000, now).endsAt).toBe('2026-01-01T00:09:00.000Z');
    expect(alertmanagerAlert(notice, 60_000, now).labels).toEqual(notice.labels);
  });

  it('writes the Standard Webhooks event and the Slack body', () => {
    expect(standardBody(notice, 0)).toMatchObject({
      type: 'alert.firing',
      data: { alertname: 'BalanceInsufficient' },
    });
    const slack = slackBody(notice);
    expect(slack.text).toContain('[FIRING] BalanceInsufficient (critical)');
    expect(JSON.stringify(slack.blocks)).toContain('*outTradeNo*: O-1');
  });

  it('logs critical firing alerts as errors, the rest as warnings', async () => {
    const lines: [string, string][] = [];
    const logger = {
      error: (_o: unknown, m: string) => lines.push(['error', m]),
      warn: (_o: unknown, m: string) => lines.push(['warn', m]),
    } as never;
    await logChannel(logger).send(
      [notice, { ...notice, status: 'resolved', endsAt: 1 }],
      AbortSignal.timeout(1000),
    );
    expect(lines).toEqual([
      ['error', 'ALERT firing BalanceInsufficient: Refunds are blocked'],
      ['warn', 'ALERT resolved BalanceInsufficient: Refunds are blocked'],
    ]);
  });

  it('backs off exponentially up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay({ baseMs: 1000, maxMs: 30_000 }, n))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
  });
});
