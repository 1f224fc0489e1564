// The alerting plugin's tables: alerts (one row per alert identity, its state and version), the
// delivery state of each alert on each channel (the durable queue the sender works from), rate
// windows, and the events already counted (idempotent by event id even across a crash).
import type { Kysely, Migration } from '@paystream/plugin-sdk';

export const ALERTS = 'alerting_alerts';
export const DELIVERIES = 'alerting_deliveries';
export const RATE_EVENTS = 'alerting_rate_events';
export const SEEN = 'alerting_seen_events';

export const migrations: Record<string, Migration> = {
  '001_alerting': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable(ALERTS)
        .addColumn('fingerprint', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('rule', 'varchar(100)', (c) => c.notNull())
        .addColumn('labels', 'text', (c) => c.notNull())
        .addColumn('annotations', 'text', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        // Bumped on every change a channel must hear about (fired, resolved, fired again).
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('occurrences', 'integer', (c) => c.notNull())
        .addColumn('starts_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('ends_at', 'bigint')
        .addColumn('resolve_after_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('alerting_alerts_status')
        .on(ALERTS)
        .columns(['status', 'last_seen_at'])
        .execute();
      await db.schema
        .createTable(DELIVERIES)
        .addColumn('fingerprint', 'varchar(64)', (c) => c.notNull())
        .addColumn('channel', 'varchar(32)', (c) => c.notNull())
        .addColumn('sent_version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('last_sent_at', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addPrimaryKeyConstraint('alerting_deliveries_pk', ['fingerprint', 'channel'])
        .execute();
      await db.schema
        .createTable(RATE_EVENTS)
        .addColumn('rule', 'varchar(100)', (c) => c.notNull())
        .addColumn('event_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('group_key', 'varchar(64)', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('failed', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('alerting_rate_events_pk', ['rule', 'event_id'])
        .execute();
      await db.schema
        .createIndex('alerting_rate_events_window')
        .on(RATE_EVENTS)
        .columns(['rule', 'group_key', 'at'])
        .execute();
      await db.schema
        .createTable(SEEN)
        .addColumn('event_id', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
};
