// Every alert links to its runbook (`runbook_url`): a path in the repository (`docs/runbooks/64.md`,
// one page per status code, generated from the catalog by packages/runbooks), made absolute by the
// deployment's base URL when one is set, so the link opens wherever the docs are published.
import type { Rule } from './schema.js';

/** The variable that holds the base URL runbook paths are joined to (the rules' and dashboards' too). */
export const RUNBOOK_BASE_URL_VARIABLE = 'PAYSTREAM_RUNBOOK_BASE_URL';

/** The runbook of a rule that names none: the index of every code's page. */
export const DEFAULT_RUNBOOK = 'docs/runbooks/README.md';

/** `path` joined to `base` (one slash between); `path` itself without a base or when it is a URL. */
export function runbookUrl(path: string, base: string | undefined): string {
  if (!base || /^[a-z][a-z0-9+.-]*:/i.test(path)) return path;
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** The rules with their runbooks joined to `base` (templates such as `{{code}}` are kept). */
export function withRunbookBase(rules: readonly Rule[], base: string | undefined): Rule[] {
  return rules.map((r) => ({ ...r, runbook: runbookUrl(r.runbook, base) }));
}
