import type { Kysely } from '@paystream/plugin-sdk';
import { ALERTS, DELIVERIES } from './migrations.js';

/** An alert as operators list it (`GET /plugins/alerting/alerts`), with each channel's delivery. */
export interface AlertView {
  fingerprint: string;
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  occurrences: number;
  startsAt: string;
  endsAt: string | null;
  deliveries: { channel: string; delivered: boolean; attempts: number; lastError: string | null }[];
}

/** Every alert, newest first, with its delivery state per channel. */
export async function listAlerts(db: Kysely<unknown>, limit = 200): Promise<AlertView[]> {
  // biome-ignore lint/suspicious/noExplicitAny: the plugin's own tables.
  const d = db as Kysely<any>;
  const alerts = await d.selectFrom(ALERTS).selectAll().orderBy('starts_at', 'desc').limit(limit).execute();
  const deliveries = await d
    .selectFrom(DELIVERIES)
    .selectAll()
    .where('fingerprint', 'in', alerts.length > 0 ? alerts.map((a) => a.fingerprint) : [''])
    .execute();
  return alerts.map((a) => ({
    fingerprint: a.fingerprint,
    status: a.status,
    labels: JSON.parse(a.labels),
    annotations: JSON.parse(a.annotations),
    occurrences: Number(a.occurrences),
    startsAt: new Date(Number(a.starts_at)).toISOString(),
    endsAt: a.ends_at === null ? null : new Date(Number(a.ends_at)).toISOString(),
    deliveries: deliveries
      .filter((x) => x.fingerprint === a.fingerprint)
      .map((x) => ({
        channel: x.channel,
        delivered: Number(x.sent_version) >= Number(a.version),
        attempts: Number(x.attempts),
        lastError: x.last_error,
      })),
  }));
}
