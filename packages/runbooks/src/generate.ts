// `pnpm --filter @paystream/runbooks generate`: writes docs/runbooks/ from the catalog and the
// alert rules (run after editing either, or src/guidance.ts), and deletes pages of codes the
// catalog no longer has. The pages are committed; src/runbooks.test.ts fails when they are stale.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedRunbooks } from './index.js';
import { REPO_ROOT, RUNBOOKS_DIR } from './paths.js';

const pages = generatedRunbooks();
const dir = join(REPO_ROOT, RUNBOOKS_DIR);
mkdirSync(dir, { recursive: true });
for (const name of readdirSync(dir)) if (!pages.has(`${RUNBOOKS_DIR}/${name}`)) rmSync(join(dir, name));
for (const [path, text] of pages) writeFileSync(join(REPO_ROOT, path), text);
console.info(`${pages.size} pages in ${RUNBOOKS_DIR}/`);
