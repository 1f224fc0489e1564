// The services under test run as their own processes, from dist, started the way a deployment
// starts them; the bench process only drives load. Each process's log goes to a file, and its
// CPU time and peak RSS are read from /proc (Linux), which is what makes "CPU per create" and
// "peak RSS" figures independent of wall-clock noise.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ServiceSpec {
  name: string;
  /** Directory the process starts in (the package, so `--import @paystream/...` resolves). */
  cwd: string;
  script: string;
  nodeArgs?: readonly string[];
  env: Record<string, string>;
  /** Answers 200 once the process is ready. */
  readyUrl: string;
  logDir: string;
}

export interface Service {
  readonly name: string;
  readonly pid: number;
  /** The command line, in its directory, with its environment (secret values redacted). */
  readonly command: string;
  /** User + system CPU seconds used so far. */
  cpuSeconds(): number;
  /** Peak resident set size so far (VmHWM), in MB (10^6 bytes). */
  peakRssMB(): number;
  stop(): Promise<void>;
}

const CLOCK_TICKS = 100; // USER_HZ: 100 on every Linux the project supports.

export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at ") ".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

export function peakRssMBOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status);
  if (!kb) throw new Error(`no VmHWM for process ${pid}`);
  return (Number(kb[1]) * 1024) / 1e6;
}

const SECRET = /KEY|SECRET|PASSWORD|TOKEN/;

/** The environment as a shell prefix, for the record; values of secret-looking names are redacted. */
export function shownEnv(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([k, v]) => `${k}=${SECRET.test(k) ? '<redacted>' : JSON.stringify(v)}`)
    .join(' ');
}

export async function startService(spec: ServiceSpec): Promise<Service> {
  const log = createWriteStream(join(spec.logDir, `${spec.name}.log`), { flags: 'a' });
  const args = [...(spec.nodeArgs ?? []), spec.script];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: spec.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let exited: number | null = null;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = code ?? (signal ? 128 : 1);
      resolve();
    }),
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${spec.name}: could not start ${args.join(' ')}`);
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited !== null)
      throw new Error(
        `${spec.name} exited with ${exited} before it was ready; see ${spec.logDir}/${spec.name}.log`,
      );
    try {
      const res = await fetch(spec.readyUrl);
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${spec.name} was not ready at ${spec.readyUrl} within 90 s`);
    }
    await sleep(100);
  }
  let lastCpu = 0;
  let lastRss = 0;
  return {
    name: spec.name,
    pid,
    command: `cd ${spec.cwd} && ${shownEnv(spec.env)} node ${args.join(' ')}`,
    cpuSeconds: () => {
      if (exited === null) lastCpu = cpuSecondsOf(pid);
      return lastCpu;
    },
    peakRssMB: () => {
      if (exited === null) lastRss = peakRssMBOf(pid);
      return lastRss;
    },
    async stop() {
      if (exited !== null) return;
      // Read the final figures while /proc still has them.
      lastCpu = cpuSecondsOf(pid);
      lastRss = peakRssMBOf(pid);
      child.kill('SIGTERM');
      const killed = sleep(30_000).then(() => {
        if (exited === null) child.kill('SIGKILL');
      });
      await Promise.race([exit, killed]);
      await exit;
      log.end();
    },
  };
}
