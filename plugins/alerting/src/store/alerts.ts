// Alert state, written in the same transaction as the event that changed it: handling an event
// only touches the database, never a channel, so a channel that is down cannot stall the stream.
import { type Kysely, sql, type Transaction } from '@paystream/plugin-sdk';
import {
  alertAnnotations,
  alertLabels,
  fingerprint,
  type Observation,
  repeatAnnotations,
  ruleMatches,
} from '../rules/match.js';
import type { Rule } from '../rules/schema.js';
import { ALERTS, DELIVERIES, RATE_EVENTS, SEEN } from './migrations.js';

// biome-ignore lint/suspicious/noExplicitAny: the plugin's own tables, typed at the edges below.
type Db = Kysely<any> | Transaction<any>;
// biome-ignore lint/suspicious/noExplicitAny: as above.
const tables = (db: Kysely<unknown>) => db as Kysely<any>;

/** What happened to an alert because of an event. */
export type AlertChange = { fingerprint: string; rule: string; change: 'fired' | 'repeated' };

/** Makes sure every channel will hear about the alert's current version (reset backoff). */
async function queueDeliveries(trx: Db, fp: string, channels: readonly string[], now: number): Promise<void> {
  for (const channel of channels)
    await trx
      .insertInto(DELIVERIES)
      .values({ fingerprint: fp, channel, next_attempt_at: now })
      .onConflict((oc) =>
        oc.columns(['fingerprint', 'channel']).doUpdateSet({ next_attempt_at: now, attempts: 0 }),
      )
      .execute();
}

/**
 * Queues the alerts for each channel that has no delivery row for them yet (a channel configured
 * after they fired), leaving the channels that have one as they are.
 */
async function enrollMissing(
  trx: Db,
  fps: readonly string[],
  channels: readonly string[],
  now: number,
): Promise<number> {
  if (fps.length === 0 || channels.length === 0) return 0;
  const rows = fps.flatMap((fp) =>
    channels.map((channel) => ({ fingerprint: fp, channel, next_attempt_at: now })),
  );
  const result = await trx
    .insertInto(DELIVERIES)
    .values(rows)
    .onConflict((oc) => oc.columns(['fingerprint', 'channel']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/**
 * At start-up: every open alert is owed to every channel configured now, including one added
 * since it fired. Returns how many deliveries were queued.
 */
export async function enrollChannels(
  db: Kysely<unknown>,
  channels: readonly string[],
  now = Date.now(),
): Promise<number> {
  return tables(db)
    .transaction()
    .execute(async (trx) => {
      const open = (await trx
        .selectFrom(ALERTS)
        .select('fingerprint')
        .where('status', '=', 'firing')
        .execute()) as {
        fingerprint: string;
      }[];
      let queued = 0;
      for (let i = 0; i < open.length; i += 200)
        queued += await enrollMissing(
          trx,
          open.slice(i, i + 200).map((r) => r.fingerprint),
          channels,
          now,
        );
      return queued;
    });
}

/** Opens the alert of the rule's group, or adds the observation to the alert already open. */
async function raise(
  trx: Db,
  pg: boolean,
  rule: Rule,
  o: Observation,
  channels: readonly string[],
  now: number,
): Promise<AlertChange> {
  const labels = alertLabels(rule, o);
  const fp = fingerprint(labels);
  const annotations = alertAnnotations(rule, o);
  const inserted = await trx
    .insertInto(ALERTS)
    .values({
      fingerprint: fp,
      rule: rule.name,
      labels: JSON.stringify(labels),
      annotations: JSON.stringify({ ...annotations, occurrences: '1' }),
      status: 'firing',
      version: 1,
      occurrences: 1,
      starts_at: now,
      last_seen_at: now,
      ends_at: null,
      resolve_after_ms: rule.resolveAfter,
    })
    .onConflict((oc) => oc.column('fingerprint').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
    await queueDeliveries(trx, fp, channels, now);
    return { fingerprint: fp, rule: rule.name, change: 'fired' };
  }
  const row = (await trx
    .selectFrom(ALERTS)
    .select(['status', 'occurrences', 'annotations'])
    .where('fingerprint', '=', fp)
    .$if(pg, (q) => q.forUpdate())
    .executeTakeFirstOrThrow()) as { status: string; occurrences: number; annotations: string };
  if (row.status === 'firing') {
    // A repeat within the open alert: one alert, counted; the order that raised it stays, the
    // latest is added. Channels that had it are not notified again (Alertmanager sees it on its
    // next re-send); a channel configured since it fired has not had it and gets it now.
    const occurrences = Number(row.occurrences) + 1;
    const latest = repeatAnnotations(JSON.parse(row.annotations) as Record<string, string>, o, occurrences);
    await trx
      .updateTable(ALERTS)
      .set({ occurrences, last_seen_at: now, annotations: JSON.stringify(latest) })
      .where('fingerprint', '=', fp)
      .execute();
    await enrollMissing(trx, [fp], channels, now);
    return { fingerprint: fp, rule: rule.name, change: 'repeated' };
  }
  // Resolved before: the condition is back, so this is a new firing (a new version for channels).
  await trx
    .updateTable(ALERTS)
    .set({
      status: 'firing',
      version: sql`version + 1`,
      occurrences: 1,
      starts_at: now,
      last_seen_at: now,
      ends_at: null,
      resolve_after_ms: rule.resolveAfter,
      annotations: JSON.stringify({ ...annotations, occurrences: '1' }),
    })
    .where('fingerprint', '=', fp)
    .execute();
  await queueDeliveries(trx, fp, channels, now);
  return { fingerprint: fp, rule: rule.name, change: 'fired' };
}

/** Whether a rate or ratio rule's condition holds in its window after counting `o`. */
async function overThreshold(
  trx: Db,
  pg: boolean,
  rule: Exclude<Rule, { kind: 'code' }>,
  o: Observation,
): Promise<boolean> {
  const groupKey = fingerprint(alertLabels(rule, o));
  // Concurrent transactions must see each other's rows near the threshold: one window at a time.
  if (pg) await sql`select pg_advisory_xact_lock(hashtext(${`alerting:${groupKey}`}))`.execute(trx);
  await trx
    .insertInto(RATE_EVENTS)
    .values({
      rule: rule.name,
      event_id: o.eventId,
      group_key: groupKey,
      at: o.at,
      failed: o.code === '00' ? 0 : 1,
    })
    .onConflict((oc) => oc.columns(['rule', 'event_id']).doNothing())
    .execute();
  const row = (await trx
    .selectFrom(RATE_EVENTS)
    .select((eb) => [eb.fn.countAll().as('n'), eb.fn.sum('failed').as('failed')])
    .where('rule', '=', rule.name)
    .where('group_key', '=', groupKey)
    .where('at', '>', o.at - rule.window)
    .where('at', '<=', o.at)
    .executeTakeFirstOrThrow()) as { n: number | string; failed: number | string | null };
  const n = Number(row.n);
  if (rule.kind === 'rate') return n >= rule.threshold;
  return n >= rule.minEvents && Number(row.failed ?? 0) / n > rule.threshold;
}

/**
 * Applies one event to every rule, in one transaction, at most once per event id (a redelivery
 * after a crash between this commit and the host's dedupe changes nothing).
 */
export async function recordObservation(
  db: Kysely<unknown>,
  pg: boolean,
  rules: readonly Rule[],
  o: Observation,
  channels: readonly string[],
  now = Date.now(),
): Promise<AlertChange[]> {
  const matching = rules.filter((r) => ruleMatches(r, o));
  if (matching.length === 0) return [];
  return tables(db)
    .transaction()
    .execute(async (trx) => {
      const first = await trx
        .insertInto(SEEN)
        .values({ event_id: o.eventId, at: now })
        .onConflict((oc) => oc.column('event_id').doNothing())
        .executeTakeFirst();
      if (Number(first.numInsertedOrUpdatedRows ?? 0) === 0) return [];
      const changes: AlertChange[] = [];
      for (const rule of matching) {
        if (rule.kind === 'code' || (await overThreshold(trx, pg, rule, o)))
          changes.push(await raise(trx, pg, rule, o, channels, now));
      }
      return changes;
    });
}

/** Resolves every firing alert whose condition was not met for its quiet period; returns how many. */
export async function resolveQuiet(db: Kysely<unknown>, now = Date.now()): Promise<string[]> {
  const d = tables(db);
  return d.transaction().execute(async (trx) => {
    const quiet = (await trx
      .selectFrom(ALERTS)
      .select('fingerprint')
      .where('status', '=', 'firing')
      .where(sql<boolean>`last_seen_at + resolve_after_ms <= ${now}`)
      .execute()) as { fingerprint: string }[];
    const fps = quiet.map((r) => r.fingerprint);
    if (fps.length === 0) return [];
    await trx
      .updateTable(ALERTS)
      .set({ status: 'resolved', ends_at: now, version: sql`version + 1` })
      .where('fingerprint', 'in', fps)
      .where('status', '=', 'firing')
      .execute();
    await trx
      .updateTable(DELIVERIES)
      .set({ next_attempt_at: now, attempts: 0 })
      .where('fingerprint', 'in', fps)
      .execute();
    return fps;
  });
}

/** Forgets rate-window rows and counted event ids older than `keepMs`. */
export async function prune(db: Kysely<unknown>, keepMs: number, now = Date.now()): Promise<void> {
  const d = tables(db);
  await d
    .deleteFrom(RATE_EVENTS)
    .where('at', '<', now - keepMs)
    .execute();
  await d
    .deleteFrom(SEEN)
    .where('at', '<', now - keepMs)
    .execute();
}
