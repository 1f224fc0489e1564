// The sender: works from the deliveries table (the durable queue), apart from event handling.
// A channel that fails is retried with exponential backoff and never skipped: its rows stay due
// until it accepts them. Each channel is tried on its own, so one that is down delays no other.
import type { Kysely, PluginLogger } from '@paystream/plugin-sdk';
import type { AlertChannel, AlertNotice } from './channels/types.js';
import { ALERTS, DELIVERIES } from './store/migrations.js';

/** Retry schedule: `baseMs`, doubling per failed attempt, at most `maxMs`. */
export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/** Delay before attempt `attempts + 1` after `attempts` failures. */
export function backoffDelay(b: Backoff, attempts: number): number {
  return Math.min(b.baseMs * 2 ** Math.max(0, attempts - 1), b.maxMs);
}

interface DueRow {
  fingerprint: string;
  rule: string;
  labels: string;
  annotations: string;
  status: 'firing' | 'resolved';
  version: number;
  starts_at: number | string;
  ends_at: number | string | null;
  sent_version: number;
  attempts: number;
}

/** Options of {@link createDispatcher}. */
export interface DispatcherOptions {
  db: Kysely<unknown>;
  channels: readonly AlertChannel[];
  backoff: Backoff;
  logger: PluginLogger;
  /** paystream_alerts_fired_total{alertname,severity,channel}. */
  fired: { inc(labels: { alertname: string; severity: string; channel: string }): void };
  batchSize?: number;
}

/** Sends what is due on every channel; `tick` resolves with the number of notices accepted. */
export function createDispatcher(o: DispatcherOptions) {
  // biome-ignore lint/suspicious/noExplicitAny: the plugin's own tables.
  const db = o.db as Kysely<any>;
  const due = async (channel: AlertChannel, now: number): Promise<DueRow[]> =>
    (await db
      .selectFrom(`${DELIVERIES} as d`)
      .innerJoin(`${ALERTS} as a`, 'a.fingerprint', 'd.fingerprint')
      .select([
        'a.fingerprint',
        'a.rule',
        'a.labels',
        'a.annotations',
        'a.status',
        'a.version',
        'a.starts_at',
        'a.ends_at',
        'd.sent_version',
        'd.attempts',
      ])
      .where('d.channel', '=', channel.name)
      .where('d.next_attempt_at', '<=', now)
      .where((eb) =>
        eb.or([
          eb('d.sent_version', '<', eb.ref('a.version')),
          ...(channel.resendMs !== undefined
            ? [eb.and([eb('a.status', '=', 'firing'), eb('d.last_sent_at', '<=', now - channel.resendMs)])]
            : []),
        ]),
      )
      .orderBy('a.fingerprint')
      .limit(o.batchSize ?? 100)
      .execute()) as DueRow[];

  const notice = (r: DueRow): AlertNotice => ({
    fingerprint: r.fingerprint,
    rule: r.rule,
    status: r.status,
    version: Number(r.version),
    labels: JSON.parse(r.labels),
    annotations: JSON.parse(r.annotations),
    startsAt: Number(r.starts_at),
    endsAt: r.ends_at === null ? null : Number(r.ends_at),
  });

  const sendGroup = async (channel: AlertChannel, rows: DueRow[], signal: AbortSignal): Promise<number> => {
    const now = Date.now();
    try {
      await channel.send(rows.map(notice), signal);
    } catch (err) {
      const attempts = Math.max(...rows.map((r) => Number(r.attempts))) + 1;
      const delay = backoffDelay(o.backoff, attempts);
      const error = err instanceof Error ? err.message : String(err);
      for (const r of rows)
        await db
          .updateTable(DELIVERIES)
          .set({ attempts, next_attempt_at: now + delay, last_error: error.slice(0, 1000) })
          .where('fingerprint', '=', r.fingerprint)
          .where('channel', '=', channel.name)
          .execute();
      o.logger.warn(
        { channel: channel.name, alerts: rows.length, attempts, retryInMs: delay, error },
        `alert channel ${channel.name} failed; retrying`,
      );
      return 0;
    }
    for (const r of rows) {
      await db
        .updateTable(DELIVERIES)
        .set({ sent_version: Number(r.version), last_sent_at: now, attempts: 0, last_error: null })
        .where('fingerprint', '=', r.fingerprint)
        .where('channel', '=', channel.name)
        .where('sent_version', '<=', Number(r.version))
        .execute();
      const labels = JSON.parse(r.labels) as Record<string, string>;
      if (r.status === 'firing' && Number(r.sent_version) < Number(r.version))
        o.fired.inc({
          alertname: labels.alertname ?? r.rule,
          severity: labels.severity ?? '',
          channel: channel.name,
        });
    }
    return rows.length;
  };

  return {
    async tick(signal: AbortSignal): Promise<number> {
      const results = await Promise.all(
        o.channels.map(async (channel) => {
          const rows = await due(channel, Date.now());
          if (rows.length === 0) return 0;
          if (channel.batch) return sendGroup(channel, rows, signal);
          let sent = 0;
          for (const r of rows) {
            if (signal.aborted) break;
            const n = await sendGroup(channel, [r], signal);
            if (n === 0) break; // the channel is down: the rest waits for its backoff
            sent += n;
          }
          return sent;
        }),
      );
      return results.reduce((a, b) => a + b, 0);
    },
  };
}
