// `pnpm --filter @paystream/k8s generate`: writes manifests/ (every object validated first). The
// YAML is committed; manifests.test.ts fails when it is stale. PAYSTREAM_IMAGE and
// PAYSTREAM_RUNBOOK_BASE_URL change what is generated (a deployment's pipeline sets them); the
// committed files are generated without them.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { manifestFiles, manifests } from './manifests.js';

const dir = new URL('../manifests/', import.meta.url);
for (const objects of Object.values(manifests())) for (const o of objects) o.validate();
const files = manifestFiles();
mkdirSync(dir, { recursive: true });
for (const name of readdirSync(dir)) if (!files.has(name)) rmSync(new URL(name, dir));
for (const [name, text] of files) writeFileSync(new URL(name, dir), text);
console.info(`${files.size} files in infra/k8s/manifests/`);
