// The embedded bus's storage: one append-only table holding every topic (dead-letter topics too)
// and one row of offset per group and topic, in a SQLite file. synchronous=FULL makes a committed
// append survive power loss, so publish() resolving means durable, as acks=all does on Kafka.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import type { RawRecord } from '../types.js';

/** One stored record and its position (a global, increasing sequence). */
export interface StoredRecord extends RawRecord {
  seq: number;
  topic: string;
}

interface Row {
  seq: number;
  topic: string;
  key: string | null;
  value: string | null;
  headers: string;
}

/** The append-only log plus group offsets, over one SQLite file. */
export class EmbeddedLog {
  private readonly db: SQLite.Database;
  // Prepared once and kept: better-sqlite3 12.6 on Node 24 can abort the process when a Statement is
  // garbage-collected outside a V8 context, so the log never leaves statements for the GC.
  private readonly statements = new Map<string, SQLite.Statement>();

  private stmt(source: string): SQLite.Statement {
    let s = this.statements.get(source);
    if (!s) {
      s = this.db.prepare(source);
      this.statements.set(source, s);
    }
    return s;
  }

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new SQLite(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    // Other processes (a plugin host beside the gateway) may hold the write lock briefly.
    this.db.pragma('busy_timeout = 10000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS bus_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        topic TEXT NOT NULL,
        key TEXT,
        value TEXT,
        headers TEXT NOT NULL,
        appended_at TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS bus_log_topic_seq ON bus_log (topic, seq);
      CREATE TABLE IF NOT EXISTS bus_group_leases (
        group_name TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS bus_offsets (
        group_name TEXT NOT NULL,
        topic TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (group_name, topic)
      );
    `);
  }

  /** Appends records to a topic in one transaction. */
  append(topic: string, records: readonly RawRecord[]): void {
    const insert = this.stmt(
      'INSERT INTO bus_log (topic, key, value, headers, appended_at) VALUES (?, ?, ?, ?, ?)',
    );
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const r of records) insert.run(topic, r.key, r.value, JSON.stringify(r.headers), now);
    })();
  }

  /** Records of a topic after `afterSeq`, oldest first. */
  read(topic: string, afterSeq: number, limit: number): StoredRecord[] {
    const rows = this.stmt(
      'SELECT seq, topic, key, value, headers FROM bus_log WHERE topic = ? AND seq > ? ORDER BY seq LIMIT ?',
    ).all(topic, afterSeq, limit) as Row[];
    return rows.map((r) => ({ ...r, headers: JSON.parse(r.headers) as Record<string, string> }));
  }

  /** The highest sequence of a topic (0 when empty). */
  head(topic: string): number {
    const row = this.stmt('SELECT MAX(seq) AS seq FROM bus_log WHERE topic = ?').get(topic) as {
      seq: number | null;
    };
    return row.seq ?? 0;
  }

  /** The group's committed position, or undefined for a new group. */
  offset(group: string, topic: string): number | undefined {
    const row = this.stmt('SELECT position FROM bus_offsets WHERE group_name = ? AND topic = ?').get(
      group,
      topic,
    ) as { position: number } | undefined;
    return row?.position;
  }

  /** Moves the group's position (never backwards). */
  commit(group: string, topic: string, position: number): void {
    this.stmt(
      `INSERT INTO bus_offsets (group_name, topic, position) VALUES (?, ?, ?)
         ON CONFLICT (group_name, topic) DO UPDATE SET position = MAX(position, excluded.position)`,
    ).run(group, topic, position);
  }

  /** Records of a topic after `afterSeq`. */
  count(topic: string, afterSeq: number): number {
    const row = this.stmt('SELECT COUNT(*) AS n FROM bus_log WHERE topic = ? AND seq > ?').get(
      topic,
      afterSeq,
    ) as {
      n: number;
    };
    return row.n;
  }

  /** Sets the group's position, backwards too (an operator's replay). */
  reset(group: string, topic: string, position: number): void {
    this.stmt(
      `INSERT INTO bus_offsets (group_name, topic, position) VALUES (?, ?, ?)
         ON CONFLICT (group_name, topic) DO UPDATE SET position = excluded.position`,
    ).run(group, topic, position);
  }

  /**
   * Takes or renews the group's lease for `owner` until `now + ttlMs`. Returns the current holder
   * when another owner holds an unexpired lease (nothing changes then), else undefined.
   */
  lease(group: string, owner: string, ttlMs: number, now = Date.now()): string | undefined {
    return this.db
      .transaction(() => {
        const row = this.stmt('SELECT owner, expires_at FROM bus_group_leases WHERE group_name = ?').get(
          group,
        ) as { owner: string; expires_at: number } | undefined;
        if (row && row.owner !== owner && row.expires_at > now) return row.owner;
        this.stmt(
          `INSERT INTO bus_group_leases (group_name, owner, expires_at) VALUES (?, ?, ?)
           ON CONFLICT (group_name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at`,
        ).run(group, owner, now + ttlMs);
        return undefined;
      })
      .immediate();
  }

  /** Gives the lease up (only the holder's own). */
  release(group: string, owner: string): void {
    this.stmt('DELETE FROM bus_group_leases WHERE group_name = ? AND owner = ?').run(group, owner);
  }

  /** The holder of the group's lease, when unexpired. */
  holder(group: string, now = Date.now()): string | undefined {
    const row = this.stmt('SELECT owner FROM bus_group_leases WHERE group_name = ? AND expires_at > ?').get(
      group,
      now,
    ) as { owner: string } | undefined;
    return row?.owner;
  }

  /** A cheap liveness probe. */
  ping(): void {
    this.stmt('SELECT 1').get();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
