// make images (scripts/images.sh): builds every image, or those named (`gateway sandbox`), and
// prints each one's size. `--generate` only writes the Containerfiles from src/images.ts.
import { relative } from 'node:path';
import { type BuiltImage, buildImages, writeContainerfiles } from './build.js';
import { REPO_ROOT } from './paths.js';

const args = process.argv.slice(2);
const say = (line: string) => console.info(`images: ${line}`);
if (args.includes('--generate')) {
  writeContainerfiles();
  say('Containerfiles written under infra/images/containerfiles');
  process.exit(0);
}
const only = args.filter((a) => !a.startsWith('--'));
try {
  const result = await buildImages({
    ...(only.length > 0 ? { only } : {}),
    skipContainerfiles: args.includes('--no-containerfiles'),
    skipArchives: args.includes('--no-archives'),
    say,
  });
  const mb = (n: number | undefined) => (n === undefined ? '-' : `${(n / 1e6).toFixed(1)} MB`);
  const row = (i: BuiltImage) =>
    `  ${i.reference.padEnd(52)} ${mb(i.size).padStart(9)} ${mb(i.archiveSize).padStart(9)}  ${i.archive ? relative(REPO_ROOT, i.archive) : ''}`;
  console.info(
    [
      '',
      `  ${'image'.padEnd(52)} ${'size'.padStart(9)} ${'archive'.padStart(9)}`,
      row(result.base),
      ...result.images.map(row),
      '',
      `  built in ${result.seconds} s; also tagged :latest. Load an archive: podman load -i <archive> (or docker load -i)`,
      '',
    ].join('\n'),
  );
} catch (err) {
  console.error(`images: ${(err as Error).message}`);
  process.exit(1);
}
