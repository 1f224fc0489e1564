/** A PromQL expression of a dashboard, with where it is. */
export interface PromQuery {
  dashboard: string;
  /** Panel title, or `variable <name>`. */
  where: string;
  expr: string;
  /** The `label_values(metric, label)` of a variable, when `where` is a variable. */
  labelValues?: { metric: string; label: string };
}

interface JsonPanel {
  title?: string;
  datasource?: { type?: string };
  targets?: { expr?: string; datasource?: { type?: string } }[];
  panels?: JsonPanel[];
}

interface JsonDashboard {
  title?: string;
  panels?: JsonPanel[];
  templating?: { list?: { name: string; type: string; query?: unknown; definition?: string }[] };
}

/** Every Prometheus expression of a dashboard's JSON: panel targets and `label_values` variables. */
export function promQueries(json: unknown): PromQuery[] {
  const d = json as JsonDashboard;
  const dashboard = d.title ?? '';
  const out: PromQuery[] = [];
  const visit = (panels: JsonPanel[] | undefined) => {
    for (const p of panels ?? []) {
      for (const t of p.targets ?? []) {
        const type = t.datasource?.type ?? p.datasource?.type;
        if (type === 'prometheus' && t.expr) out.push({ dashboard, where: p.title ?? '', expr: t.expr });
      }
      visit(p.panels);
    }
  };
  visit(d.panels);
  for (const v of d.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    const m = /^label_values\(\s*([a-zA-Z_:][\w:]*)\s*,\s*(\w+)\s*\)$/.exec(v.definition ?? '');
    if (m) {
      const [, metric, label] = m as unknown as [string, string, string];
      out.push({ dashboard, where: `variable ${v.name}`, expr: metric, labelValues: { metric, label } });
    }
  }
  return out;
}
