// What one `make bench` run shares: where things are, its own PostgreSQL databases and temporary
// files (removed at the end), the processes it started (stopped at the end, even on failure).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import type { Service } from './processes.js';

export interface BenchSettings {
  /** Measured seconds per arm and round (closed-loop cases). */
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  /** Events per consumer round (cases 6 and 9). */
  events: number;
  /** Which targets to run (1–9). */
  cases: ReadonlySet<number>;
  /** Take CPU profiles in extra, unmeasured passes. */
  profile: boolean;
}

/**
 * The PostgreSQL server the bench creates its databases on: PAYSTREAM_BENCH_PG_URL, else the test
 * suites' PAYSTREAM_TEST_PG_URL, else the local server.
 */
export function benchPgAdminUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.PAYSTREAM_BENCH_PG_URL ?? env.PAYSTREAM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
  );
}

export class BenchContext {
  readonly runId = randomBytes(3).toString('hex');
  readonly tmpDir = mkdtempSync(join(tmpdir(), 'paystream-bench-'));
  readonly logDir: string;
  readonly runDir: string;
  private readonly databases: string[] = [];
  private readonly services = new Set<Service>();
  /** Every process the run started, as a command line (for the record). */
  readonly commands: string[] = [];

  constructor(
    readonly root: string,
    readonly settings: BenchSettings,
    readonly kafkaBrokers: string,
    /** The run started this broker itself, so it may delete and recreate the events topic. */
    readonly ownsBroker: boolean,
    readonly pgAdminUrl: string,
  ) {
    this.logDir = resolve(root, 'bench/results/logs');
    this.runDir = resolve(root, 'bench/.run');
    mkdirSync(this.logDir, { recursive: true });
    mkdirSync(this.runDir, { recursive: true });
  }

  /** A fresh PostgreSQL database for one component of the run; its URL. */
  async createDatabase(label: string): Promise<string> {
    const name = `bench_${this.runId}_${label}`.replace(/[^a-z0-9_]/g, '_');
    await this.admin((c) => c.query(`CREATE DATABASE ${name}`));
    this.databases.push(name);
    const url = new URL(this.pgAdminUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }

  async admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const c = new pg.Client({ connectionString: this.pgAdminUrl });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }

  track(service: Service): Service {
    this.services.add(service);
    this.commands.push(service.command.replace(this.root, '.'));
    return service;
  }

  async stop(service: Service): Promise<void> {
    await service.stop();
    this.services.delete(service);
  }

  async cleanup(): Promise<void> {
    await Promise.allSettled([...this.services].map((s) => s.stop()));
    this.services.clear();
    for (const name of this.databases.splice(0)) {
      await this.admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(() => undefined);
    }
    rmSync(this.tmpDir, { recursive: true, force: true });
  }
}
