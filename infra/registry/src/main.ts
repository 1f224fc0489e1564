// make registry: a local registry with this checkout's packages until Ctrl-C, for developing a
// connector in its own repository (docs/writing-a-connector.md). REGISTRY_PORT (default 4873).
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PUBLIC_PACKAGES, publishSet, SHIPPED_PLUGINS } from './packages.js';
import { publishPackages } from './publish.js';
import { startRegistry } from './registry.js';

const root = resolve(import.meta.dirname, '../../..');
const port = Number(process.env.REGISTRY_PORT ?? 4873);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`REGISTRY_PORT must be a port number, not ${process.env.REGISTRY_PORT}`);
  process.exit(2);
}
const dir = join(root, 'infra/registry/.registry');
// A fresh storage each time: what it serves is this checkout's build, not an older one's.
rmSync(dir, { recursive: true, force: true });
const registry = await startRegistry({ dir, port });
try {
  const published = await publishPackages(
    registry,
    root,
    publishSet(root, [...PUBLIC_PACKAGES, ...SHIPPED_PLUGINS]),
  );
  console.info(`registry  ${registry.url}`);
  for (const p of published) console.info(`published ${p.name}@${p.version}`);
  console.info(`install   echo "registry=${registry.url}" > .npmrc   (in the connector's project)`);
  console.info('Ctrl-C stops it.');
} catch (err) {
  console.error((err as Error).message);
  await registry.stop();
  process.exit(1);
}
const stop = () => {
  void registry.stop().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
