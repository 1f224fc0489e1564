// docs/events.md and docs/test-kit.md are what the generator writes today, and say what the
// source says: every event type and field, the fixtures' defaults.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_TYPES, paymentEventDataSchema } from '@paystream/events';
import { describe, expect, it } from 'vitest';
import { EVENTS_PAGE, generatedPages, REPO_ROOT, TEST_KIT_PAGE } from './index.js';

const pages = generatedPages();
const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

describe('generated pages', () => {
  it.each([EVENTS_PAGE, TEST_KIT_PAGE])(
    '%s matches the generator (run `pnpm --filter @paystream/docs run generate` after an edit)',
    (path) => {
      expect(read(path)).toBe(pages.get(path));
    },
  );

  it('lists every event type with when it is emitted, and every data field with its meaning', () => {
    const page = pages.get(EVENTS_PAGE)!;
    for (const type of EVENT_TYPES) expect(page).toMatch(new RegExp(`^\\| \`${type}\` +\\| [A-Z]`, 'm'));
    for (const [field, schema] of Object.entries(paymentEventDataSchema.shape)) {
      expect(schema.description, field).toBeTruthy();
      expect(page).toContain(schema.description!);
    }
    expect(page).toMatch(/^\| `refund\.pending` .*\| string or null +\| required +\|$/m);
    expect(page).toMatch(/^\| `payment\.created` .*\| string +\| optional +\|$/m);
    expect(page).toContain('`ledger.entry.posted`');
    expect(page).toMatch(/^\| `side` +\| "debit" \\\| "credit" +\| yes /m);
  });

  it("shows the fixtures' defaults as they run: orderEvents refunds R1 on WECHATHK", () => {
    const page = pages.get(TEST_KIT_PAGE)!;
    expect(page).toMatch(/^\| `O1\.4:0:1` +\| `refund\.succeeded` .*`"WECHATHK"` +\| `"R1"` +\| `300` /m);
    expect(page).toMatch(/^\| `database\?` +\| `'sqlite' \\\| 'postgres'` +\| Default 'sqlite'/m);
    expect(page).toContain("## lifecycle: the ledger's fixtures");
    expect(page).toContain('- `freePort(): Promise<number>`: ');
  });
});
