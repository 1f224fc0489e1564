import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createEmbeddedBus, GroupAlreadyConsumedError } from '../src/index.js';
import { makeEvents, waitFor } from '../src/testing/index.js';
import { eventBusContract } from './contract.js';
import { embeddedHarness } from './harness.js';

eventBusContract(embeddedHarness);

it('refuses a second process in the same group, and lets it in once the first has stopped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'paystream-lease-'));
  const file = join(dir, 'bus.sqlite');
  // Two buses on one file are two processes as far as the log can tell (each has its own owner id).
  const first = await createEmbeddedBus({ file, pollIntervalMs: 20 });
  const second = await createEmbeddedBus({ file, pollIntervalMs: 20 });
  try {
    const seen: string[] = [];
    const sub = await first.subscribe('paystream.plugin.ledger', async (e) => void seen.push(e.id));
    const attempt = second.subscribe('paystream.plugin.ledger', async () => {});
    await expect(attempt).rejects.toThrow(GroupAlreadyConsumedError);
    await expect(attempt).rejects.toThrow(
      /group paystream\.plugin\.ledger is already consumed from .* by pid \d+/,
    );
    await expect(second.resetOffsets('paystream.plugin.ledger')).rejects.toThrow(GroupAlreadyConsumedError);
    // Another group is not affected.
    await second.subscribe('paystream.plugin.other', async () => {});
    await sub.close();
    const events = makeEvents({ keys: 1, perKey: 2 });
    const taken: string[] = [];
    await second.subscribe('paystream.plugin.ledger', async (e) => void taken.push(e.id));
    await first.publish(events);
    await waitFor('the new owner to read', () => taken.length === 2);
    expect(seen).toEqual([]);
  } finally {
    await first.close();
    await second.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
