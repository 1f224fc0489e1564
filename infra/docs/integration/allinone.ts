// The all-in-one as `make start` runs it, on free ports and a data folder of its own, for a suite.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@paystream/plugin-testing';
import { REPO_ROOT } from '../src/index.js';

export interface RunningAllInOne {
  gatewayUrl: string;
  sandboxUrl: string;
  /** What the process printed so far (banner and logs), for a failure's message. */
  output(): string;
  /** SIGTERM (SIGKILL after 30 s), then its data folder is removed. */
  stop(): Promise<void>;
}

// Variables of the caller's shell that would point the all-in-one elsewhere (Kafka, PostgreSQL, a
// real aggregator, other keys): the suite runs it on its embedded defaults, as a reader's first start.
const FOREIGN =
  /^(KAFKA_|DATABASE_URL$|EMBEDDED_BUS_FILE$|UPSTREAM_|PAYSTREAM_|OTEL_|PORT$|HOST$|SANDBOX_|PLUGIN_HOST_|ERP_|ALERTMANAGER_URL$)/;

/** The environment without the variables above. */
export function cleanEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && !FOREIGN.test(e[0]),
    ),
  );
}

/** Starts `node services/allinone/dist/main.js` and waits until /readyz answers 200. */
export async function startAllInOne(env: Record<string, string> = {}): Promise<RunningAllInOne> {
  const dir = mkdtempSync(join(tmpdir(), 'paystream-docs-allinone-'));
  const [port, sandboxPort, pluginHostPort] = [await freePort(), await freePort(), await freePort()];
  const logFile = join(dir, 'allinone.log');
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(process.execPath, [join(REPO_ROOT, 'services/allinone/dist/main.js')], {
    cwd: dir,
    env: {
      ...cleanEnv(),
      PORT: String(port),
      SANDBOX_PORT: String(sandboxPort),
      PLUGIN_HOST_PORT: String(pluginHostPort),
      // Where the all-in-one keeps its SQLite files and ERP journal (else .data/ under its folder).
      DATABASE_URL: join(dir, 'paystream.sqlite'),
      EMBEDDED_BUS_FILE: join(dir, 'paystream-bus.sqlite'),
      ERP_CSV_DIR: join(dir, 'erp'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const output = () => readFileSync(logFile, 'utf8');
  const gatewayUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exitCode === undefined) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(killer);
    }
    await new Promise<void>((resolve) => log.end(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'the all-in-one to be ready',
      async () => {
        if (exitCode !== undefined) throw new Error(`it exited with ${exitCode}:\n${output()}`);
        const res = await fetch(`${gatewayUrl}/readyz`).catch(() => undefined);
        return res?.status === 200;
      },
      { timeoutMs: 120_000, intervalMs: 200 },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { gatewayUrl, sandboxUrl: `http://127.0.0.1:${sandboxPort}`, output, stop };
}
