// The shipped example config (infra/alertmanager/alertmanager.yml) is valid for the real
// Alertmanager, and routes the plugin's labels as documented: critical pages, warnings go to chat.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startAlertmanager } from '@paystream/plugin-testing';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CONFIG = fileURLToPath(new URL('../../../infra/alertmanager/alertmanager.yml', import.meta.url));

describe('infra/alertmanager/alertmanager.yml', () => {
  it('passes amtool check-config', async () => {
    const { stdout } = await run('amtool', ['check-config', CONFIG]);
    expect(stdout).toContain('SUCCESS');
  });

  it('routes critical Paystream alerts to the pager and warnings to chat', async () => {
    const route = async (...labels: string[]) =>
      (await run('amtool', ['config', 'routes', 'test', `--config.file=${CONFIG}`, ...labels])).stdout.trim();
    expect(
      await route('service=paystream', 'severity=critical', 'alertname=BalanceInsufficient', 'code=64'),
    ).toBe('pager');
    expect(
      await route('service=paystream', 'severity=warning', 'alertname=AlipayRateUnavailable', 'code=80'),
    ).toBe('ops-chat');
    // The Prometheus rules' alerts carry no service label: they are routed the same way.
    expect(await route('severity=critical', 'alertname=PaystreamUpstreamCode64', 'code=64')).toBe('pager');
    expect(await route('severity=warning', 'alertname=PaystreamConsumerLag')).toBe('ops-chat');
  });

  it('is checked for real: amtool refuses the config with a receiver it does not define', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amtool-'));
    try {
      const broken = join(dir, 'broken.yml');
      writeFileSync(broken, readFileSync(CONFIG, 'utf8').replace('receiver: pager', 'receiver: nobody'));
      await expect(run('amtool', ['check-config', broken])).rejects.toMatchObject({
        stdout: expect.stringContaining('undefined receiver "nobody"'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("pages once for a code 64: the plugin's alert inhibits the Prometheus rule's for the same code", async () => {
    // The shipped routes and inhibit rules, with receivers that send nowhere (tests stay on loopback).
    const shipped = readFileSync(CONFIG, 'utf8');
    const names = [...shipped.matchAll(/^ {2}- name: (\S+)$/gm)].map((m) => m[1]);
    const local = `${shipped.slice(0, shipped.indexOf('\nreceivers:'))}\nreceivers:\n${names.map((n) => `  - name: ${n}\n`).join('')}`;
    const am = await startAlertmanager(local);
    try {
      const startsAt = new Date().toISOString();
      const endsAt = new Date(Date.now() + 5 * 60_000).toISOString();
      const post = await fetch(`${am.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          {
            labels: {
              alertname: 'BalanceInsufficient',
              service: 'paystream',
              severity: 'critical',
              code: '64',
              category: 'balance',
              wallet: 'WECHATHK',
            },
            annotations: { outTradeNo: 'o-1', refundNo: 'r-1' },
            startsAt,
            endsAt,
          },
          {
            labels: {
              alertname: 'PaystreamUpstreamCode64',
              severity: 'critical',
              code: '64',
              category: 'balance',
              operation: 'refund',
            },
            startsAt,
            endsAt,
          },
          {
            labels: {
              alertname: 'PaystreamUpstreamCode80',
              severity: 'warning',
              code: '80',
              category: 'alipay_upstream',
              operation: 'create',
            },
            startsAt,
            endsAt,
          },
        ]),
      });
      expect(post.ok).toBe(true);
      let alerts = await am.alerts();
      for (let i = 0; i < 100 && !alerts.some((a) => a.status.state === 'suppressed'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        alerts = await am.alerts();
      }
      const state = (name: string) => alerts.find((a) => a.labels.alertname === name)?.status;
      expect(state('BalanceInsufficient')?.state).toBe('active');
      expect(state('PaystreamUpstreamCode64')?.state).toBe('suppressed');
      expect(state('PaystreamUpstreamCode64')?.inhibitedBy).toHaveLength(1);
      // No plugin alert for 80 here: the rule's alert is the page, nothing hides it.
      expect(state('PaystreamUpstreamCode80')?.state).toBe('active');
    } finally {
      await am.close();
    }
  });
});
