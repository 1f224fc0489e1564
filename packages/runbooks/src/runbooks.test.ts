// docs/runbooks/ is what the generator writes today, every code of the catalog has its page, and
// every runbook link in the repository (Prometheus rules, the alerting plugin's rules, the
// dashboards, the pages themselves) resolves to a file and anchor.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalog } from '@paystream/codes';
import { describe, expect, it } from 'vitest';
import {
  CATEGORIES,
  expandLink,
  generatedRunbooks,
  linkProblem,
  pluginAlerts,
  prometheusAlerts,
  REPO_ROOT,
  RUNBOOKS_DIR,
  runbookPath,
} from './index.js';

const codes = [...new Set(catalog.map((e) => e.code))];
const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const problems = (links: readonly string[]) => links.map((l) => linkProblem(l)).filter(Boolean);

describe('docs/runbooks', () => {
  const pages = generatedRunbooks();

  it('matches the generator (run `pnpm --filter @paystream/runbooks generate` after an edit)', () => {
    const committed = readdirSync(join(REPO_ROOT, RUNBOOKS_DIR))
      .map((f) => `${RUNBOOKS_DIR}/${f}`)
      .sort();
    expect(committed).toEqual([...pages.keys()].sort());
    for (const [path, text] of pages) expect(read(path), path).toBe(text);
  });

  it('has a page for every code of the catalog, with its Chinese and English meaning, and an index', () => {
    expect(codes).toHaveLength(62);
    expect(pages.size).toBe(63);
    for (const e of catalog) {
      const page = pages.get(runbookPath(e.code))!;
      expect(page, e.code).toContain(`- **中文**: ${e.messageZh}`);
      expect(page, e.code).toContain(`- **English**: ${e.messageEn}`);
      expect(page, e.code).toContain(`retry: "${e.retry}"`);
      expect(pages.get('docs/runbooks/README.md')).toContain(`[\`${e.code}\`](${e.code}.md)`);
    }
  });

  it('names the alerts that fire on a code', () => {
    const page64 = pages.get(runbookPath('64'))!;
    expect(page64).toContain('- `PaystreamUpstreamCode64` (Prometheus rule, critical) fires on it');
    expect(page64).toContain('- `BalanceInsufficient` (alerting plugin, critical) fires on it');
    expect(page64).toContain(
      '- `PaystreamUpstreamErrorRatio` (Prometheus rule, warning) counts it as a failure',
    );
    expect(pages.get(runbookPath('10'))).toContain(
      '- `SignatureFailures` (alerting plugin, critical) fires on it',
    );
    // A create-only code counts in the per-wallet ratio of creates; a refund-only code does not.
    expect(pages.get(runbookPath('09'))).toContain(
      '- `WalletErrorRatioHigh` (alerting plugin, warning) counts it',
    );
    expect(pages.get(runbookPath('18'))).not.toContain('WalletErrorRatioHigh');
    expect(pages.get(runbookPath('00'))).toContain('No alert fires on this code alone.');
    expect(pages.get(runbookPath('00'))).not.toContain('PaystreamUpstreamErrorRatio');
  });

  it('links only to files and anchors that exist', () => {
    const links: string[] = [];
    for (const text of pages.values())
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g))
        links.push(join(RUNBOOKS_DIR, m[1]!).replace(/\\/g, '/'));
    expect(links.length).toBeGreaterThan(200);
    expect(problems(links)).toEqual([]);
  });
});

describe('runbook links', () => {
  const values = { code: codes, category: CATEGORIES };

  it('every Prometheus alert has a runbook_url that resolves', () => {
    const alerts = prometheusAlerts();
    expect(alerts).toHaveLength(10);
    for (const a of alerts) expect(a.runbook, a.name).toBeDefined();
    const codeAlerts = Object.fromEntries(alerts.map((a) => [a.name, a.runbook]));
    expect(codeAlerts.PaystreamUpstreamCode64).toBe('docs/runbooks/64.md');
    expect(codeAlerts.PaystreamUpstreamCode80).toBe('docs/runbooks/80.md');
    expect(codeAlerts.PaystreamUpstreamErrorRatio).toBe(
      'docs/runbooks/README.md#category-{{ $labels.category }}',
    );
    expect(problems(alerts.flatMap((a) => expandLink(a.runbook!, values)))).toEqual([]);
  });

  it('every rule of the alerting plugin has a runbook that resolves for each code it matches', () => {
    const links = pluginAlerts().flatMap((a) =>
      expandLink(a.rule.runbook, {
        code: a.rule.match.codes ?? codes,
        category: a.rule.match.categories ?? CATEGORIES,
      }),
    );
    expect(links).toContain('docs/runbooks/64.md');
    expect(links).toContain('docs/runbooks/-53.md');
    expect(links).toContain('docs/runbooks/README.md#unknown-codes');
    expect(problems(links)).toEqual([]);
  });

  it('every link of the dashboards to a runbook resolves for every code', () => {
    const dir = 'infra/grafana/dashboards';
    const urls: string[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === 'object')
        for (const [k, v] of Object.entries(node))
          if (k === 'url' && typeof v === 'string' && v.includes('runbooks/')) urls.push(v);
          else collect(v);
    };
    for (const f of readdirSync(join(REPO_ROOT, dir)).filter((n) => n.endsWith('.json')))
      collect(JSON.parse(read(`${dir}/${f}`)));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variables
    expect(urls).toEqual(['${runbook_base}docs/runbooks/${__data.fields.code}.md']);
    const links = urls.flatMap((u) => expandLink(u, { runbook_base: [''], code: codes }));
    expect(links).toHaveLength(62);
    expect(problems(links)).toEqual([]);
  });

  it('finds a link that does not resolve (the check is not vacuous)', () => {
    expect(linkProblem('docs/runbooks/65.md')).toBe('docs/runbooks/65.md: no file docs/runbooks/65.md');
    expect(linkProblem('docs/runbooks/README.md#category-nothing')).toBe(
      'docs/runbooks/README.md#category-nothing: no anchor #category-nothing in docs/runbooks/README.md',
    );
    expect(linkProblem('docs/operations.md#outbox')).toBeUndefined();
    expect(
      linkProblem('https://docs.example/p/docs/runbooks/64.md', REPO_ROOT, 'https://docs.example/p/'),
    ).toBeUndefined();
  });
});
