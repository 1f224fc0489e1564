// A real Alertmanager for the alerting plugin's suites and the all-in-one's: the Debian
// `prometheus-alertmanager` binary on a free port, with a config this file writes, read back through
// its own v2 API. It can be stopped and started again on the same port to stand for an outage.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@paystream/bus/testing';

/** An alert as Alertmanager's GET /api/v2/alerts returns it (the fields the suites read). */
export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string; inhibitedBy?: string[] };
}

const CONFIG = `route:
  receiver: blackhole
  group_by: [alertname, code, wallet]
  group_wait: 1s
receivers:
  - name: blackhole
`;

/**
 * Starts Alertmanager; `url` is its base URL (what ALERTMANAGER_URL names). `configYaml` replaces
 * the default config (a single receiver that sends nowhere); its receivers must send nowhere too.
 */
export async function startAlertmanager(configYaml: string = CONFIG) {
  const dir = mkdtempSync(join(tmpdir(), 'paystream-am-'));
  const config = join(dir, 'alertmanager.yml');
  writeFileSync(config, configYaml);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let proc: ChildProcess | undefined;
  let output = '';

  const ready = async () => {
    try {
      return (await fetch(`${url}/-/ready`)).ok;
    } catch {
      return false;
    }
  };
  const start = async () => {
    proc = spawn(
      'prometheus-alertmanager',
      [
        `--config.file=${config}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc.stdout?.on('data', (b) => (output += b));
    proc.stderr?.on('data', (b) => (output += b));
    await waitFor('alertmanager to be ready', ready, { timeoutMs: 20_000 }).catch((err) => {
      throw new Error(`${(err as Error).message}\n${output.slice(-2000)}`);
    });
  };
  const stop = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  };
  await start();
  return {
    url,
    /** Alerts Alertmanager holds now (active and, with `all`, resolved ones too). */
    async alerts(filter: Record<string, string> = {}): Promise<AmAlert[]> {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(filter)) q.append('filter', `${k}="${v}"`);
      const res = await fetch(`${url}/api/v2/alerts?${q}`);
      if (!res.ok) throw new Error(`alertmanager answered ${res.status}`);
      return (await res.json()) as AmAlert[];
    },
    /** Waits until Alertmanager holds at least one active alert named `alertname`; returns them. */
    async waitForAlert(alertname: string, timeoutMs = 60_000): Promise<AmAlert[]> {
      let found: AmAlert[] = [];
      await waitFor(
        `alert ${alertname} in Alertmanager`,
        async () => {
          found = await this.alerts({ alertname });
          return found.length > 0;
        },
        { timeoutMs },
      );
      return found;
    },
    /** An outage: the process stops; `start` brings it back on the same port. */
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type Alertmanager = Awaited<ReturnType<typeof startAlertmanager>>;
