// The all-in-one as `make start` runs it (ephemeral ports, temporary files): the printed flow
// works end to end, the dev key has every scope, and one /metrics shows every component.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@paystream/bus/testing';
import { loadConfig } from '@paystream/config';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AllInOne, startAllInOne } from './start.js';

let dir: string;
let platform: AllInOne;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'paystream-allinone-'));
  const config = loadConfig({
    PORT: '0',
    SANDBOX_PORT: '0',
    DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    EMBEDDED_BUS_FILE: join(dir, 'bus.sqlite'),
    OUTBOX_POLL_INTERVAL_MS: '20',
  });
  platform = await startAllInOne(config, pino({ level: 'silent' }));
});
afterAll(async () => {
  await platform?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the curl commands of the banner, as fetch calls. */
function commands(): { method: string; url: string; headers: Record<string, string>; body?: string }[] {
  const out: { method: string; url: string; headers: Record<string, string>; body?: string }[] = [];
  const lines = platform.banner.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    let line = lines[i]!.trim();
    if (!line.startsWith('curl ')) continue;
    while (line.endsWith('\\')) line = `${line.slice(0, -1)} ${lines[++i]!.trim()}`;
    if (line.includes('| grep')) line = line.slice(0, line.indexOf('|')).trim();
    const method = /-X (\w+)/.exec(line)?.[1] ?? 'GET';
    const url = /(http:\/\/[^\s']+)/.exec(line)![1]!;
    const headers = Object.fromEntries(
      [...line.matchAll(/-H '([^:]+): ([^']+)'/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]),
    );
    const body = /-d '([^']+)'/.exec(line)?.[1];
    out.push({ method, url, headers, ...(body ? { body } : {}) });
  }
  return out;
}

describe('the all-in-one', () => {
  it('prints the dev key, the URLs and a curl flow that creates, pays, reads and refunds', async () => {
    expect(platform.devKey).toBe('psk_dev_local');
    expect(platform.banner).toContain('psk_dev_local');
    expect(platform.banner).toContain(platform.gateway.url);
    const answers: { status: number; text: string }[] = [];
    for (const c of commands()) {
      const res = await fetch(c.url, {
        method: c.method,
        headers: c.headers,
        ...(c.body ? { body: c.body } : {}),
      });
      answers.push({ status: res.status, text: await res.text() });
    }
    expect(answers.map((a) => a.status)).toEqual([201, 200, 200, 201, 201, 409, 200, 200, 200, 200]);
    expect(JSON.parse(answers[2]!.text).status).toBe('paid');
    expect(JSON.parse(answers[5]!.text).code).toBe('64');
    // The journal command of the walk-through, once the ledger has caught up with the events.
    const journal = commands()[8]!;
    const entries = await waitFor('the demo order in the journal', async () => {
      const body = (await (await fetch(journal.url, { headers: journal.headers })).json()) as {
        entries: { postings: { amount: string }[] }[];
      };
      return body.entries.length === 2 ? body.entries : undefined;
    });
    expect(entries.map((e) => e.postings.map((p) => p.amount))).toEqual([
      ['12.34', '12.34'],
      ['2.34', '2.34'],
    ]);
    const trial = commands()[9]!;
    expect(await (await fetch(trial.url, { headers: trial.headers })).json()).toEqual([
      { currency: 'HKD', debit: '14.68', credit: '14.68' },
    ]);
    // The code-64 step: the alert (also on the log channel) and the ERP journal file it names.
    const alerts = commands()[7]!;
    const alert = await waitFor('the 64 alert', async () => {
      const body = (await (await fetch(alerts.url, { headers: alerts.headers })).json()) as {
        alerts: { labels: Record<string, string>; annotations: Record<string, string> }[];
      };
      return body.alerts.find((a) => a.labels.alertname === 'BalanceInsufficient');
    });
    expect(alert.labels).toMatchObject({ severity: 'critical', code: '64', wallet: 'WECHATHK' });
    const csv = /\n\s+cat (\S+)\n/.exec(platform.banner)![1]!;
    expect(csv.startsWith(dir)).toBe(true);
    await waitFor(
      'both entries in the ERP journal',
      () => existsSync(csv) && readFileSync(csv, 'utf8').split('\r\n').length === 6,
    );
    expect(readFileSync(csv, 'utf8')).toContain(',income:sales:dev,,12.34,HKD,');
  });

  it('puts the events on the bus and serves every component on one /metrics', async () => {
    await platform.gateway.relay.flush();
    const text = await (await fetch(`${platform.gateway.url}/metrics`)).text();
    expect(text).toMatch(
      /paystream_upstream_requests_total\{operation="refund",code="64",category="balance"\} 1/,
    );
    expect(text).toMatch(/paystream_events_published_total\{type="refund.failed"\} 1/);
    expect(text).toMatch(/paystream_events_published_total\{type="payment.succeeded"\} 1/);
    expect(text).toContain('paystream_outbox_pending{table="paystream_outbox"} 0');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('is ready: upstream, bus and database', async () => {
    const res = await fetch(`${platform.gateway.url}/readyz`);
    expect(res.status).toBe(200);
  });
});
