// The sandbox and the gateway as their own processes (their dist/main.js), so the gateway can be
// SIGKILLed while the sandbox keeps what it was told. Each prints pino JSON lines on stdout; the
// helpers wait for the line that says the process is ready, never for a fixed time.
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface LogLine {
  msg?: string;
  [key: string]: unknown;
}

export interface RunningProcess {
  child: ChildProcess;
  lines: LogLine[];
  /** Resolves with the first log line (past or future) that matches. */
  waitFor(match: (line: LogLine) => boolean): Promise<LogLine>;
  /** Resolves with the signal or exit code once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * SIGTERM, then waits for the exit. With `killAfterMs`, a process still draining by then gets
   * SIGKILL: a test run's teardown must end even when a request hangs.
   */
  stop(killAfterMs?: number): Promise<void>;
}

function run(script: string, env: Record<string, string>): RunningProcess {
  const child = spawn(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { msg: text };
    }
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.match(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    lines,
    exited,
    waitFor(match) {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        void exited.then(({ code, signal }) =>
          reject(new Error(`process ended (${code ?? signal}) before the awaited line; stderr: ${stderr}`)),
        );
      });
    },
    async stop(killAfterMs) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const kill =
        killAfterMs === undefined
          ? undefined
          : setTimeout(() => {
              if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            }, killAfterMs);
      await exited;
      clearTimeout(kill);
    },
  };
}

const here = dirname(fileURLToPath(import.meta.url));

/** The sandbox process on an ephemeral port (more settings in `env`); resolves once it listens. */
export async function startSandboxProcess(
  env: Record<string, string> = {},
): Promise<{ url: string; process: RunningProcess }> {
  const main = join(dirname(fileURLToPath(import.meta.resolve('@paystream/upstream-sandbox'))), 'main.js');
  const p = run(main, { ...env, SANDBOX_PORT: '0' });
  const line = await p.waitFor(
    (l) => typeof l.msg === 'string' && l.msg.startsWith('upstream sandbox listening'),
  );
  return { url: /(http:\/\/\S+)/.exec(line.msg!)![1]!, process: p };
}

/**
 * The gateway build the process suites run: this checkout's dist/main.js, unless
 * PAYSTREAM_GATEWAY_MAIN names another build's main.js (to run the same suite against a baseline).
 */
export function gatewayMain(): string {
  return process.env.PAYSTREAM_GATEWAY_MAIN || join(here, '..', '..', 'dist', 'main.js');
}

/** A gateway process (dist/main.js) with the given environment; resolves once it listens. */
export async function startGatewayProcess(
  env: Record<string, string>,
): Promise<{ url: string; process: RunningProcess }> {
  const p = run(gatewayMain(), env);
  const line = await p.waitFor((l) => l.msg === 'gateway listening');
  return { url: String(line.url), process: p };
}
