// A real Prometheus (the Debian package) for the suites: its own port, data directory and config,
// scraping and evaluating every second so the suites stay fast.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@paystream/bus/testing';

export const RULES_FILE = fileURLToPath(new URL('../rules/paystream.rules.yml', import.meta.url));

export interface PromResult {
  resultType: string;
  result: { metric: Record<string, string>; value?: [number, string]; values?: unknown[] }[];
}

export interface RunningPrometheus {
  url: string;
  /** GET /api/v1/<path>; throws on a non-success answer, with Prometheus's error. */
  api<T>(path: string, params?: Record<string, string>): Promise<T>;
  query(expr: string): Promise<PromResult>;
  /** Waits (polling) until `check` returns a value, or gives up after `ms` with the last error. */
  until<T>(what: string, check: () => Promise<T | undefined>, ms?: number): Promise<T>;
  stop(): Promise<void>;
}

/** Starts Prometheus scraping `target` (job `paystream`) every second, with Paystream's rules. */
export async function startPrometheus(target: string): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'paystream-prometheus-'));
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      `  - ${JSON.stringify(RULES_FILE)}`,
      'scrape_configs:',
      '  - job_name: paystream',
      '    static_configs:',
      `      - targets: [${JSON.stringify(target)}]`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--enable-feature=exemplar-storage',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;

  async function api<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const res = await fetch(`${url}/api/v1/${path}?${new URLSearchParams(params)}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${body.error}`);
    return body.data;
  }

  async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
    const deadline = Date.now() + ms;
    let last: unknown;
    for (;;) {
      try {
        const v = await check();
        if (v !== undefined) return v;
      } catch (err) {
        last = err;
      }
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`gave up waiting for ${what}: ${String(last ?? 'no value')}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  const running: RunningPrometheus = {
    url,
    api,
    query: (expr) => api<PromResult>('query', { query: expr }),
    until,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await until(
    'prometheus ready',
    async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined),
    30_000,
  );
  return running;
}
