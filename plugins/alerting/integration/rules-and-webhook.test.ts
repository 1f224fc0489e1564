// Rate and ratio rules, PostgreSQL, and the Standard Webhooks channel (signature checked here with
// node:crypto, independently of the signer), including retries that keep the webhook-id.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { makeEvents, runId, startTestHost, type TestHost, waitFor } from '@paystream/plugin-testing';
import { afterEach, describe, expect, it } from 'vitest';
import { fastAlerting } from './fixtures.js';

let t: TestHost | undefined;
let server: Server | undefined;
afterEach(async () => {
  await t?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  t = undefined;
  server = undefined;
});

const alertNames = async (host: TestHost) => {
  const { body } = await host.request('GET', '/plugins/alerting/alerts');
  return (body.alerts as { labels: { alertname: string }; occurrences: number }[]).map(
    (a) => a.labels.alertname,
  );
};

const SECRET_BYTES = Buffer.from('alerting-test-secret-0123456789ab');
const SECRET = `whsec_${SECRET_BYTES.toString('base64')}`;

interface Delivery {
  id: string;
  valid: boolean;
  body: { type?: string; text?: string; data?: { alertname: string } };
}

/** A receiver that answers 503 to the first `failFirst` requests, then 200. */
async function receiver(failFirst: number) {
  const seen: Delivery[] = [];
  let requests = 0;
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      requests += 1;
      const id = String(req.headers['webhook-id']);
      const ts = String(req.headers['webhook-timestamp']);
      const expected = createHmac('sha256', SECRET_BYTES).update(`${id}.${ts}.${raw}`).digest('base64');
      const sigs = String(req.headers['webhook-signature'] ?? '').split(' ');
      seen.push({ id, valid: sigs.includes(`v1,${expected}`), body: JSON.parse(raw) });
      res.statusCode = requests <= failFirst ? 503 : 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hooks/alerts`, seen };
}

describe('rate and ratio rules', () => {
  it.each(['sqlite', 'postgres'] as const)(
    'fire at their thresholds on %s, once per group',
    async (database) => {
      t = await startTestHost({ plugins: [fastAlerting()], database });
      const sig = (n: number) =>
        makeEvents({
          prefix: runId(),
          keys: n,
          type: 'payment.failed',
          data: { code: '10', category: 'authentication', operation: 'create' },
        });
      await t.publish(sig(4));
      expect(await alertNames(t)).not.toContain('SignatureFailures');
      await t.publish(sig(1));
      expect(await alertNames(t)).toContain('SignatureFailures');

      // 11 failures out of 20 creates on one wallet: over the 0.5 ratio with enough events.
      const wallet = { wallet: 'ALIPAYCN' as const, operation: 'create' as const };
      const ok = makeEvents({ prefix: runId(), keys: 9, data: wallet });
      const failed = makeEvents({
        prefix: runId(),
        keys: 11,
        type: 'payment.failed',
        data: { ...wallet, code: '01', category: 'request_validation' },
      });
      await t.publish([...ok, ...failed]);
      const names = await alertNames(t);
      expect(names.filter((n) => n === 'WalletErrorRatioHigh')).toHaveLength(1);
      expect(names.filter((n) => n === 'SignatureFailures')).toHaveLength(1);
    },
    60_000,
  );
});

describe('webhook channel', () => {
  it('signs per Standard Webhooks and keeps the webhook-id across retries after 503s', async () => {
    const hook = await receiver(2);
    t = await startTestHost({
      plugins: [fastAlerting({ webhook: { url: hook.url, secret: SECRET, format: 'standard' } })],
    });
    await t.publish(
      makeEvents({
        prefix: runId(),
        type: 'refund.failed',
        data: { code: '64', category: 'balance', operation: 'refund' },
      }),
    );
    await waitFor('the webhook to be accepted', () => hook.seen.length >= 3);
    await t.settle();
    expect(hook.seen.every((d) => d.valid)).toBe(true);
    expect(new Set(hook.seen.map((d) => d.id)).size).toBe(1);
    expect(hook.seen[0]!.body).toMatchObject({
      type: 'alert.firing',
      data: { alertname: 'BalanceInsufficient' },
    });
    // Resolved after the quiet period: a second change, a second id.
    await waitFor(
      'the resolution to be delivered',
      () => hook.seen.some((d) => d.body.type === 'alert.resolved'),
      {
        timeoutMs: 30_000,
      },
    );
    expect(new Set(hook.seen.map((d) => d.id)).size).toBe(2);
    expect(await t.registry.metrics()).toContain(
      'paystream_alerts_fired_total{alertname="BalanceInsufficient",severity="critical",channel="webhook"} 1',
    );
  }, 60_000);

  it('sends a Slack-compatible body when asked', async () => {
    const hook = await receiver(0);
    t = await startTestHost({ plugins: [fastAlerting({ webhook: { url: hook.url, format: 'slack' } })] });
    await t.publish(
      makeEvents({
        prefix: runId(),
        type: 'payment.failed',
        data: { code: '80', category: 'alipay_upstream', operation: 'create', wallet: 'ALIPAYHK' },
      }),
    );
    await waitFor('the Slack message', () => hook.seen.length >= 1);
    expect(hook.seen[0]!.body.text).toContain('[FIRING] AlipayRateUnavailable (warning)');
  });
});
