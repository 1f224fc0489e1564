// A real Prometheus scrapes a running all-in-one: the rules fire on a real code-64 burst, every
// dashboard and rule expression runs, the status-code dashboard has a series for every catalog
// code once each was provoked through the gateway, and /metrics passes `promtool check metrics`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { catalog, STATUS_CODES } from '@paystream/codes';
import { promQueries } from '@paystream/grafana';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Platform, startPlatform } from './platform.js';
import { type RunningPrometheus, startPrometheus } from './prometheus.js';

type CallOp = 'create' | 'query' | 'refund' | 'cancel' | 'close';

let platform: Platform;
let prom: RunningPrometheus;
let seq = 0;

beforeAll(async () => {
  platform = await startPlatform();
  prom = await startPrometheus(platform.target);
  await prom.until('the first scrape', async () => {
    const r = await prom.query('up{job="paystream"} == 1');
    return r.result.length === 1 ? true : undefined;
  });
});
afterAll(async () => {
  await prom?.stop();
  await platform?.stop();
});

const dashboard = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../grafana/dashboards/${name}.json`, import.meta.url), 'utf8'));

/** Grafana's built-in variables as a 1 s scrape makes sense of them; the rest as given. */
function substitute(expr: string, vars: Record<string, string>): string {
  let out = expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__range', '5m')
    .replaceAll('$__interval', '1s');
  for (const [k, v] of Object.entries(vars)) out = out.replaceAll(`$${k}`, v);
  return out;
}

/** Creates an order the operation can run on (paid for refund and cancel), then arms the fault and calls. */
async function provoke(code: string, op: CallOp, times = 1): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) {
    const no = `obs-${code.replace('-', 'm')}-${op}-${Date.now().toString(36)}-${seq++}`;
    if (op !== 'create') {
      const created = await platform.call('POST', '/v1/payments', {
        outTradeNo: no,
        amount: '10.00',
        currency: 'HKD',
        wallet: 'WECHATHK',
      });
      expect(created.status).toBe(201);
      if (op === 'refund' || op === 'cancel') expect((await platform.sandbox.pay(no)).status).toBe(200);
    }
    if (code !== '00') await platform.sandbox.fault({ code, operation: op, times: 1 });
    const res = await {
      create: () =>
        platform.call('POST', '/v1/payments', {
          outTradeNo: no,
          amount: '10.00',
          currency: 'HKD',
          wallet: 'WECHATHK',
        }),
      query: () => platform.call('GET', `/v1/payments/${no}`),
      refund: () =>
        platform.call('POST', `/v1/payments/${no}/refunds`, { refundNo: `${no}-r`, amount: '1.00' }),
      cancel: () => platform.call('POST', `/v1/payments/${no}/cancel`),
      close: () => platform.call('POST', `/v1/payments/${no}/close`),
    }[op]();
    statuses.push(res.status);
  }
  return statuses;
}

describe('Prometheus scraping the all-in-one', () => {
  it('fires the code-64 rule on a real burst of refunds answering 64, with exemplars that name the trace', async () => {
    interface Alert {
      labels: Record<string, string>;
      state: string;
    }
    const code64 = async () =>
      (await prom.api<{ alerts: Alert[] }>('alerts')).alerts.filter(
        (a) => a.labels.alertname === 'PaystreamUpstreamCode64',
      );
    // The zero series exists from the start, so the rule is evaluated and quiet before the burst.
    await prom.until('the code 64 zero series', async () => {
      const r = await prom.query('paystream_upstream_requests_total{code="64",operation="refund"} == 0');
      return r.result.length === 1 ? true : undefined;
    });
    expect(await code64()).toEqual([]);

    expect(await provoke('64', 'refund', 3)).toEqual([409, 409, 409]);

    const firing = await prom.until('PaystreamUpstreamCode64 firing', async () => {
      const alerts = (await code64()).filter((a) => a.state === 'firing');
      return alerts.length > 0 ? alerts : undefined;
    });
    expect(firing[0]?.labels).toMatchObject({
      severity: 'critical',
      code: '64',
      operation: 'refund',
      category: 'balance',
    });

    // From the alert to the trace: the latency exemplars of code 64 carry trace ids.
    const exemplars = await prom.until('code 64 exemplars', async () => {
      const data = await prom.api<{ exemplars: { labels: Record<string, string> }[] }[]>('query_exemplars', {
        query: 'paystream_upstream_request_duration_seconds_bucket{code="64"}',
        start: String(Date.now() / 1000 - 300),
        end: String(Date.now() / 1000 + 60),
      });
      const ids = data.flatMap((s) => s.exemplars.map((e) => e.labels.trace_id));
      return ids.length > 0 ? ids : undefined;
    });
    expect(exemplars[0]).toMatch(/^[0-9a-f]{32}$/);
  });

  it('has a series for every one of the 62 codes in the status-code dashboard once each was provoked', async () => {
    expect(STATUS_CODES).toHaveLength(62);
    for (const code of STATUS_CODES) {
      const entry = catalog.find((e) => e.code === code)!;
      const op = entry.operations.find((o): o is CallOp => o !== 'notify')!;
      await provoke(code, op);
    }
    const perCode = promQueries(dashboard('status-codes')).filter((q) => q.expr.includes('$code'));
    expect(perCode.map((q) => q.where)).toEqual([
      'Meaning of $code',
      'Rate of $code by operation',
      'Share of calls answering $code',
      'Latency of $code (p95), with exemplar traces',
    ]);
    const missing = await prom.until('a series for every code in every $code query', async () => {
      const gaps: string[] = [];
      for (const code of STATUS_CODES) {
        for (const q of perCode) {
          const r = await prom.query(substitute(q.expr, { code }));
          if (r.result.length === 0) gaps.push(`${code}: ${q.where}`);
        }
      }
      return gaps.length === 0 ? gaps : undefined;
    });
    expect(missing).toEqual([]);

    // The repeated category rows, all categories at once: every code appears under its category.
    const byCategory = promQueries(dashboard('status-codes')).find(
      (q) => q.where === '$category: calls by code',
    )!;
    const r = await prom.query(substitute(byCategory.expr, { category: '.*' }));
    expect(new Set(r.result.map((s) => s.metric.code))).toEqual(new Set(STATUS_CODES));
    // And the $code variable offers every code.
    const values = await prom.api<string[]>('label/code/values', {
      'match[]': 'paystream_upstream_requests_total',
    });
    for (const code of STATUS_CODES) expect(values).toContain(code);
  });

  it('runs every dashboard and rule expression without an error', async () => {
    const vars = { code: '64', category: '.*', plugin: '.*', datasource: 'prometheus' };
    const queries = ['overview', 'status-codes', 'plugins'].flatMap((d) => promQueries(dashboard(d)));
    expect(queries.length).toBeGreaterThan(20);
    for (const q of queries) {
      if (q.labelValues) {
        await prom.api(`label/${q.labelValues.label}/values`, { 'match[]': q.labelValues.metric });
      } else {
        const r = await prom.query(substitute(q.expr, vars));
        expect(['vector', 'scalar', 'matrix']).toContain(r.resultType);
      }
    }
    interface Rule {
      name: string;
      query: string;
      health: string;
      lastError?: string;
    }
    // Every rule of the file Prometheus loads, recording and alerting.
    const ruleCount = (
      parse(readFileSync(new URL('../rules/paystream.rules.yml', import.meta.url), 'utf8')) as {
        groups: { rules: unknown[] }[];
      }
    ).groups.flatMap((g) => g.rules).length;
    expect(ruleCount).toBe(12);
    const rules = await prom.until('every rule evaluated', async () => {
      const groups = (await prom.api<{ groups: { rules: Rule[] }[] }>('rules')).groups;
      const all = groups.flatMap((g) => g.rules);
      return all.length === ruleCount && all.every((r) => r.health === 'ok') ? all : undefined;
    });
    for (const rule of rules) {
      expect(rule.lastError ?? '', rule.name).toBe('');
      await prom.query(rule.query);
    }
  });

  it('serves /metrics that promtool check metrics finds no problem in, and OpenMetrics with exemplars on request', async () => {
    const url = `http://${platform.target}/metrics`;
    const plain = await fetch(url);
    expect(plain.headers.get('content-type')).toContain('text/plain');
    const text = await plain.text();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
    const om = await fetch(url, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
    expect(om.headers.get('content-type')).toContain('application/openmetrics-text');
    expect(await om.text()).toMatch(
      /paystream_upstream_request_duration_seconds_bucket\{[^}]*\} \d+ # \{trace_id="[0-9a-f]{32}"\}/,
    );
  });
});
