// Where the runbooks live in the repository, and how a runbook path becomes a link. Every runbook
// link in the repository (alert rules, the alerting plugin's rules, dashboards) is a path from the
// repository's root, such as `docs/runbooks/64.md`: it resolves in a checkout and in a repository
// browser. A deployment publishes the docs somewhere and sets PAYSTREAM_RUNBOOK_BASE_URL; what it
// generates (infra/k8s) and what the alerting plugin sends then start with that base.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root (this file is in packages/runbooks/src or dist). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The folder of the pages, from the root. */
export const RUNBOOKS_DIR = 'docs/runbooks';

/** The index page, from the root. */
export const RUNBOOK_INDEX = `${RUNBOOKS_DIR}/README.md`;

/** The variable that holds where the repository's docs are published. */
export const RUNBOOK_BASE_URL_VARIABLE = 'PAYSTREAM_RUNBOOK_BASE_URL';

/** The page of a status code, from the root: `docs/runbooks/64.md` (the code as the appendix writes it). */
export function runbookPath(code: string): string {
  return `${RUNBOOKS_DIR}/${code}.md`;
}

/** The page's file on disk. */
export function runbookFile(code: string, root = REPO_ROOT): string {
  return join(root, runbookPath(code));
}

/** The anchor of a category's section in the index (`category-balance`). */
export function categoryAnchor(category: string): string {
  return `category-${category}`;
}

/** `path` joined to `base` with one slash between; `path` itself without a base or when it is a URL. */
export function runbookUrl(path: string, base: string | undefined): string {
  if (!base || /^[a-z][a-z0-9+.-]*:/i.test(path)) return path;
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
