// Where the generated pages live, from the repository's root.
import { fileURLToPath } from 'node:url';

/** The repository's root (this file is in infra/docs/src or dist). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The event reference, generated from the zod schemas of @paystream/events. */
export const EVENTS_PAGE = 'docs/events.md';

/** The test kit's fixtures and options, generated from @paystream/plugin-testing. */
export const TEST_KIT_PAGE = 'docs/test-kit.md';

/** The service doc whose marked samples the integration suite runs. */
export const CALLING_PAGE = 'docs/calling-paystream.md';

/** The line every generated page starts with under its title. */
export function generatedNotice(source: string): string {
  return `Generated from ${source} by \`pnpm --filter @paystream/docs run generate\`; edit the source, not this page.`;
}
