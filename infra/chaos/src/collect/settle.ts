// The run settles before anything is judged: no more operations, no fault left at the sandbox,
// every write repeated under its key until it has a final answer, no intent or pending refund
// open, both outboxes sent, and every plugin's consumer group caught up.
import { type Fleet, openFleetRecords } from '@paystream/fleet';
import type { Workload } from '../workload/callers.js';
import { pluginOutboxPending } from './final-state.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface PluginStatus {
  id: string;
  lag: number;
  deadLetters: number;
  sequenceGaps: number;
}

async function pluginStatus(fleet: Fleet): Promise<PluginStatus[] | undefined> {
  const host = fleet.hosts.find((h) => h.running());
  if (!host) return undefined;
  const res = await fetch(`${host.url}/admin/plugins`, {
    headers: { authorization: `Bearer ${fleet.apiKey}` },
  }).catch(() => undefined);
  if (!res?.ok) return undefined;
  return ((await res.json()) as { plugins: PluginStatus[] }).plugins;
}

/**
 * Settles the run; resolves with what it did and saw (for the report). A run that does not settle
 * in time is judged as it is: what is still open is the checker's to report.
 */
export async function settle(
  fleet: Fleet,
  workload: Workload,
  log: (line: string) => void,
  timeoutMs = 180_000,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  const notes: string[] = [];
  await workload.stop();
  await fleet.controls.clearFaults();
  // Writes get at most a third of the time: what is still open then is judged as it is.
  const repeated = await workload.settle(Date.now() + timeoutMs / 3);
  notes.push(
    `${repeated.repeated} writes repeated under their keys to a final answer (${repeated.left} left)`,
  );
  log(`settle: ${notes[0]}`);
  const records = openFleetRecords(fleet.databaseUrl);
  try {
    let quiet = 0;
    let last = '';
    while (quiet < 3) {
      if (Date.now() > deadline) {
        notes.push(`did not settle in ${timeoutMs} ms: ${last}`);
        log(`settle: ${notes[notes.length - 1]}`);
        return notes;
      }
      const [open, outbox, pluginOutbox, plugins] = await Promise.all([
        records.unsettled(),
        records.outboxPending(),
        pluginOutboxPending(fleet),
        pluginStatus(fleet),
      ]);
      const lag = plugins?.reduce((s, p) => s + p.lag, 0);
      last = `intents ${open.intents}, pending refunds ${open.pendingRefunds}, gateway outbox ${outbox}, plugin outbox ${pluginOutbox}, plugin lag ${lag ?? '?'}`;
      const settled =
        open.intents === 0 && open.pendingRefunds === 0 && outbox === 0 && pluginOutbox === 0 && lag === 0;
      quiet = settled ? quiet + 1 : 0;
      await sleep(1_000);
    }
    const plugins = (await pluginStatus(fleet)) ?? [];
    for (const p of plugins) {
      notes.push(
        `plugin ${p.id}: lag ${p.lag}, dead letters ${p.deadLetters}, sequence gaps seen ${p.sequenceGaps}`,
      );
    }
    log(`settle: settled (${last})`);
    return notes;
  } finally {
    await records.close();
  }
}
