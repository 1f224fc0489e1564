import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dashboardJson, dashboards, promQueries } from './index.js';

const committed = (name: string) =>
  readFileSync(new URL(`../dashboards/${name}.json`, import.meta.url), 'utf8');

describe('dashboards as code', () => {
  it('match the committed JSON (run `pnpm --filter @paystream/grafana generate` after an edit)', () => {
    for (const [name, d] of Object.entries(dashboards()))
      expect(committed(name), name).toBe(dashboardJson(d));
  });

  it('have unique uids, and every Prometheus panel queries the $datasource variable', () => {
    const all = Object.values(dashboards());
    expect(new Set(all.map((d) => d.uid)).size).toBe(all.length);
    for (const d of all) {
      for (const p of d.panels ?? []) {
        if (!('targets' in p) || !p.targets) continue;
        for (const t of p.targets)
          expect((t as { datasource?: { uid?: string } }).datasource?.uid, p.title).toMatch(
            /^(\$\{datasource\}|tempo)$/,
          );
      }
    }
  });

  it('status codes: a $code variable from the counter label values, and one row per category, repeated', () => {
    const d = JSON.parse(committed('status-codes'));
    const queries = promQueries(d);
    expect(queries.find((q) => q.where === 'variable code')?.labelValues).toEqual({
      metric: 'paystream_upstream_requests_total',
      label: 'code',
    });
    const rows = d.panels.filter((p: { type: string }) => p.type === 'row');
    expect(rows.find((r: { repeat?: string }) => r.repeat === 'category')?.title).toBe('Category $category');
    const titles = d.panels.map((p: { title: string }) => p.title);
    for (const t of [
      'Meaning of $code',
      'Rate of $code by operation',
      'Share of calls answering $code',
      'Recent traces of $code',
    ])
      expect(titles).toContain(t);
    const latency = queries.find((q) => q.where.startsWith('Latency of $code'));
    expect(latency?.expr).toContain('paystream_upstream_request_duration_seconds_bucket{code="$code"}');
    const exemplar = d.panels.find((p: { title: string }) => p.title.startsWith('Latency of $code'))
      .targets[0].exemplar;
    expect(exemplar).toBe(true);
  });

  it("status codes: the meaning of a code links to that code's runbook, under the $runbook_base constant", () => {
    const d = JSON.parse(committed('status-codes'));
    const base = d.templating.list.find((v: { name: string }) => v.name === 'runbook_base');
    expect(base).toMatchObject({ type: 'constant', hide: 2, query: '' });
    const meaning = d.panels.find((p: { title: string }) => p.title === 'Meaning of $code');
    expect(meaning.fieldConfig.defaults.links.map((l: { url: string }) => l.url)).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variables
      '${runbook_base}docs/runbooks/${__data.fields.code}.md',
    ]);
  });

  it('plugins: throughput, failures, lag, dead letters, ledger entries and alerts fired', () => {
    const exprs = promQueries(JSON.parse(committed('plugins')))
      .map((q) => q.expr)
      .join('\n');
    for (const m of [
      'paystream_plugin_events_total',
      'paystream_plugin_consumer_lag',
      'paystream_plugin_dead_letters',
      'paystream_ledger_entries_total',
      'paystream_alerts_fired_total',
    ])
      expect(exprs).toContain(m);
  });
});
