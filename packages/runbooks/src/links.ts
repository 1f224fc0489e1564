// Checks runbook links: a link (a path from the repository's root, maybe with `#anchor`, maybe with
// PAYSTREAM_RUNBOOK_BASE_URL in front) resolves when its file exists and, for Markdown, the anchor
// is an explicit `<a id>` or a heading's GitHub-style slug. Templated links are expanded first.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

/** GitHub's slug of a heading: lower case, punctuation dropped, spaces as hyphens. */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor of a Markdown text: explicit `<a id="…">` and heading slugs. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const m of markdown.matchAll(/<a\s+id="([^"]+)"/g)) anchors.add(m[1]!);
  for (const m of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) anchors.add(headingSlug(m[1]!));
  return anchors;
}

/**
 * Why `link` does not resolve, or undefined when it does. `base` (the deployment's base URL) is
 * taken off the front first; anything else with a scheme is not the repository's to check.
 */
export function linkProblem(link: string, root = REPO_ROOT, base?: string): string | undefined {
  let path = link;
  if (base && path.startsWith(base)) path = path.slice(base.length);
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) return `${link}: not a path in the repository`;
  path = path.replace(/^\/+/, '');
  const [file, anchor] = path.split('#') as [string, string | undefined];
  const full = join(root, file);
  if (!existsSync(full)) return `${link}: no file ${file}`;
  if (anchor === undefined) return undefined;
  if (!file.endsWith('.md')) return `${link}: an anchor in a file that is not Markdown`;
  if (!anchorsOf(readFileSync(full, 'utf8')).has(anchor)) return `${link}: no anchor #${anchor} in ${file}`;
  return undefined;
}

/**
 * Every link a templated link stands for: each `{{ $labels.x }}`, `{{x}}`, `${x}` or
 * `${__data.fields.x}` replaced by each value `values[x]` lists (an unknown name is an error).
 */
export function expandLink(link: string, values: Readonly<Record<string, readonly string[]>>): string[] {
  const pattern = /\{\{\s*(?:\$labels\.)?(\w+)\s*\}\}|\$\{(?:__data\.fields\.)?(\w+)\}/;
  const m = pattern.exec(link);
  if (!m) return [link];
  const name = (m[1] ?? m[2])!;
  const options = values[name];
  if (!options) throw new Error(`${link}: no values for the template variable ${name}`);
  return options.flatMap((v) =>
    expandLink(link.slice(0, m.index) + v + link.slice(m.index + m[0].length), values),
  );
}
