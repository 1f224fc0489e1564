// Each event id once per topic. A relay that died between sending a batch and marking it sent (a
// SIGKILL, its connections terminated, a send that failed half-way) leaves that batch to the next
// relay, which sends it again with the same ids: the one duplicate the design allows, at most one
// batch per such moment (docs/architecture.md, "Outboxes"), and consumers dedupe it. A copy is
// taken as such a re-send only when it is identical, the first copy was sent before a recorded
// crash of a process of the publishing kind and the second after it; every other copy is a
// duplicate the checker reports.
import type { Crash, TopicRecord } from '../history.js';
import type { Anomaly, AnomalyKind } from './anomaly.js';

/** The most rows a relay sends in one batch (the plugin host's; the gateway's is 100). */
export const RELAY_BATCH = 500;
/** How far the producer's clock and the recorded moment of a crash may lie apart. */
const CLOCK_SLACK_MS = 1_000;
/** How long a batch may have been on its way when its relay died (kafkajs retries a send ~30 s). */
const SEND_WINDOW_MS = 35_000;
/** How soon after the crash the next relay sends the batch again (it waits for the lock and a poll). */
const RESEND_WINDOW_MS = 120_000;

/** Re-sent copies explained by a crash, per crash (`member@time`). */
export type Resends = Record<string, number>;

function sameContent(a: TopicRecord, b: TopicRecord): boolean {
  return a.type === b.type && a.subject === b.subject && JSON.stringify(a.data) === JSON.stringify(b.data);
}

/** The crash that explains a second copy, if one does. */
function explainedBy(first: TopicRecord, again: TopicRecord, crashes: readonly Crash[]): Crash | undefined {
  return crashes.find(
    (c) =>
      first.timestamp <= c.at + CLOCK_SLACK_MS &&
      first.timestamp >= c.at - SEND_WINDOW_MS &&
      again.timestamp >= c.at - CLOCK_SLACK_MS &&
      again.timestamp <= c.at + RESEND_WINDOW_MS,
  );
}

/**
 * Duplicate ids on one topic: those a crash explains are counted in `resends`, the rest reported
 * as `kind`. `crashes` are those of the processes that publish to this topic.
 */
export function checkDuplicates(
  records: readonly TopicRecord[],
  crashes: readonly Crash[],
  kind: Extract<AnomalyKind, 'duplicate-event' | 'ledger-entry-duplicate'>,
): { anomalies: Anomaly[]; resends: Resends } {
  const byId = new Map<string, TopicRecord[]>();
  for (const r of records) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  const anomalies: Anomaly[] = [];
  const resends: Resends = {};
  for (const [id, copies] of byId) {
    if (copies.length < 2) continue;
    const [first, ...rest] = [...copies].sort((a, b) => a.timestamp - b.timestamp);
    for (const again of rest) {
      const crash = sameContent(first!, again) ? explainedBy(first!, again, crashes) : undefined;
      const where = `${again.topic}/${again.partition}@${again.offset} (first at ${first!.partition}@${first!.offset})`;
      if (!crash) {
        anomalies.push({
          kind,
          outTradeNo: first!.subject,
          step: `${first!.type} ${id}`,
          detail: sameContent(first!, again)
            ? `event ${id} is on ${again.topic} twice (${where}), and no crash explains it`
            : `event ${id} is on ${again.topic} twice with different contents (${where})`,
        });
        continue;
      }
      const key = `${crash.member}@${new Date(crash.at).toISOString()}`;
      resends[key] = (resends[key] ?? 0) + 1;
    }
  }
  for (const [key, n] of Object.entries(resends)) {
    if (n > RELAY_BATCH) {
      anomalies.push({
        kind,
        detail: `${n} copies re-sent after ${key}: more than one relay batch (${RELAY_BATCH})`,
      });
    }
  }
  return { anomalies, resends };
}
