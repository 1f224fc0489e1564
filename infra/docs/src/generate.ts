// `pnpm --filter @paystream/docs run generate`: writes docs/events.md and docs/test-kit.md (run after
// editing the event schemas or the test kit). The pages are committed; src/pages.test.ts fails when
// they are stale.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedPages } from './pages.js';
import { REPO_ROOT } from './paths.js';

const pages = generatedPages();
for (const [path, text] of pages) writeFileSync(join(REPO_ROOT, path), text);
console.info(`wrote ${[...pages.keys()].join(', ')}`);
