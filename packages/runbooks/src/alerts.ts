// The alerts as the runbooks describe them: Prometheus's (infra/prometheus/rules/*.yml) and the
// alerting plugin's shipped rules (plugins/alerting/rules/default.yaml), each with the codes it
// fires on or counts. Read from the files themselves, so a page says what the rules do today.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RULES_FILE, loadRulesFile, type Rule } from '@paystream/alerting';
import type { CatalogEntry } from '@paystream/codes';
import { parse } from 'yaml';
import { REPO_ROOT } from './paths.js';

/** The folder of Prometheus's rule files, from the root. */
export const PROMETHEUS_RULES_DIR = 'infra/prometheus/rules';

/** One alert, wherever it is defined. */
export interface AlertInfo {
  name: string;
  source: 'prometheus' | 'alerting';
  severity: string;
  /** What it says, its templates shown as `{label}`. */
  summary: string;
  /** Its runbook link as written (annotation `runbook_url`, or the plugin rule's `runbook`), if any. */
  runbook: string | undefined;
  /** The file it is defined in, from the root. */
  file: string;
}

/** How an alert relates to a code: it fires on the code, or counts it among failures in a ratio. */
export interface CodeAlert {
  alert: AlertInfo;
  relation: 'fires' | 'counts';
}

/** A Prometheus alert rule with its recording rules expanded, and the codes it names. */
export interface PrometheusAlert extends AlertInfo {
  source: 'prometheus';
  /** The expression with every recording rule it uses replaced by that rule's expression. */
  expr: string;
  /** Codes the expression selects (`code="64"`). */
  codes: string[];
  /** It selects every category but success: every failing code counts. */
  everyFailure: boolean;
  annotations: Record<string, string>;
}

/** A shipped rule of the alerting plugin. */
export interface PluginAlert extends AlertInfo {
  source: 'alerting';
  rule: Rule;
}

interface RuleFile {
  groups: {
    name: string;
    rules: {
      alert?: string;
      record?: string;
      expr: string;
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    }[];
  }[];
}

/** `{{ $labels.operation }}` and `{{operation}}` as `{operation}`; `{{ $value … }}` as `N`. */
export function plainTemplate(text: string): string {
  return text
    .replace(/\{\{\s*\$value[^}]*\}\}/g, 'N')
    .replace(/\{\{\s*\$labels\.(\w+)\s*\}\}/g, '{$1}')
    .replace(/\{\{\s*(\w+)\s*\}\}/g, '{$1}')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Every alert rule in infra/prometheus/rules. */
export function prometheusAlerts(root = REPO_ROOT): PrometheusAlert[] {
  const dir = join(root, PROMETHEUS_RULES_DIR);
  const alerts: PrometheusAlert[] = [];
  for (const name of readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    const doc = parse(readFileSync(join(dir, name), 'utf8')) as RuleFile;
    const rules = doc.groups.flatMap((g) => g.rules);
    const records = new Map(rules.filter((r) => r.record).map((r) => [r.record!, r.expr]));
    for (const r of rules) {
      if (!r.alert) continue;
      let expr = r.expr;
      for (const [record, recordExpr] of records) expr = expr.split(record).join(`(${recordExpr})`);
      const annotations = r.annotations ?? {};
      alerts.push({
        name: r.alert,
        source: 'prometheus',
        severity: r.labels?.severity ?? 'none',
        summary: plainTemplate(annotations.summary ?? r.alert),
        runbook: annotations.runbook_url,
        file: `${PROMETHEUS_RULES_DIR}/${name}`,
        expr,
        codes: [...expr.matchAll(/\bcode\s*=\s*"([^"]+)"/g)].map((m) => m[1]!),
        everyFailure: /\bcategory\s*!=\s*"success"/.test(expr),
        annotations,
      });
    }
  }
  return alerts;
}

/** The alerting plugin's shipped rules. */
export function pluginAlerts(): PluginAlert[] {
  const file = 'plugins/alerting/rules/default.yaml';
  return loadRulesFile(DEFAULT_RULES_FILE).map((rule) => ({
    name: rule.name,
    source: 'alerting' as const,
    severity: rule.severity,
    summary: plainTemplate(rule.summary ?? `${rule.name}: code {{code}} on {{wallet}}`),
    runbook: rule.runbook,
    file,
    rule,
  }));
}

const overlaps = (a: readonly string[] | undefined, b: readonly string[]) =>
  a === undefined || a.some((x) => b.includes(x));

/** How a plugin rule relates to a catalog entry, if it does. */
function pluginRelation(rule: Rule, entry: CatalogEntry): CodeAlert['relation'] | undefined {
  const m = rule.match;
  if (!overlaps(m.operations, entry.operations)) return undefined;
  if (rule.kind === 'ratio') {
    if (entry.code === '00') return undefined;
    if (m.codes && !m.codes.includes(entry.code)) return undefined;
    if (m.categories && !m.categories.includes(entry.category)) return undefined;
    return 'counts';
  }
  if (m.codes) return m.codes.includes(entry.code) ? 'fires' : undefined;
  if (m.categories) return m.categories.includes(entry.category) ? 'fires' : undefined;
  // Rules on event types alone (a payment after close) are about the event, not a code.
  return undefined;
}

/** The alerts that fire on, or count, the code of `entry`. */
export function alertsFor(
  entry: CatalogEntry,
  prometheus: readonly PrometheusAlert[],
  plugin: readonly PluginAlert[],
): CodeAlert[] {
  const out: CodeAlert[] = [];
  for (const a of prometheus) {
    if (a.codes.includes(entry.code)) out.push({ alert: a, relation: 'fires' });
    else if (a.everyFailure && entry.category !== 'success') out.push({ alert: a, relation: 'counts' });
  }
  for (const a of plugin) {
    const relation = pluginRelation(a.rule, entry);
    if (relation) out.push({ alert: a, relation });
  }
  return out;
}
