// The sandbox, the gateway and the plugin host as their own processes (their dist/main.js), so a
// process can be SIGKILLed while the others keep what they were told. Each prints pino JSON lines
// on stdout; the helpers wait for the line that says the process is ready, never for a fixed time.
// The same three can run as OCI images instead (`container`): podman's attached client is then
// the child, and stop and kill go through podman, since a signal to the client is not one to
// the container.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { gatewayMain, pluginHostMain, sandboxMain } from './builds.js';

export interface LogLine {
  msg?: string;
  [key: string]: unknown;
}

export interface RunningProcess {
  /** The process; in container mode, podman's attached client. */
  child: ChildProcess;
  /** In container mode, the container's name (podman inspect, exec, kill). */
  containerName?: string;
  /** The most recent log lines (the last {@link KEPT_LINES}); the log file has them all. */
  lines: LogLine[];
  /** Resolves with the first log line (kept, or future) that matches. */
  waitFor(match: (line: LogLine) => boolean): Promise<LogLine>;
  /** Resolves with the signal or exit code once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether the process is still running. */
  running(): boolean;
  /**
   * SIGTERM, then waits for the exit. With `killAfterMs`, a process still draining by then gets
   * SIGKILL: a test run's teardown must end even when a request hangs.
   */
  stop(killAfterMs?: number): Promise<void>;
  /** SIGKILL, as a crash or the OOM killer would; resolves once the process is gone. */
  kill(): Promise<void>;
  /** The last few kilobytes the process wrote on stderr. */
  stderrTail(): string;
}

/** Lines kept in memory per process: a ten-minute run must not grow without bound. */
export const KEPT_LINES = 20_000;

export interface RunOptions {
  /** Every line of stdout and stderr is appended here too. */
  logFile?: string;
  /** Extra node arguments before the script. */
  nodeArgs?: readonly string[];
  /** The working directory (files a process writes relative to it land there). */
  cwd?: string;
  /** Called with the process as soon as it is spawned, before it is ready. */
  onStart?: (p: RunningProcess) => void;
  /** Run this image with podman instead of the checkout's build (`cwd` and `nodeArgs` do not apply). */
  container?: ContainerRun;
}

/** How a member runs as a container: host networking, a read-only root, a non-root user. */
export interface ContainerRun {
  /** The image, e.g. localhost/paystream/gateway:latest (never pulled). */
  image: string;
  /** The container's name, unique on the machine; a container left with it is replaced. */
  name: string;
  /** Bind mounts, `host:container`; the only writable paths besides /tmp. */
  mounts?: readonly string[];
}

const execFileP = promisify(execFile);

/**
 * The flags every container of the fleet runs with. runc, since crun refuses a hybrid cgroup
 * layout; the ulimits stated, since runc cannot raise the defaults podman would otherwise ask
 * for above this process's hard limit; --init, so the service is not PID 1 (a PID 1 ignores
 * the signals it has no handler for); host networking, so PostgreSQL and Kafka on 127.0.0.1 are
 * reached as the process fleet reaches them.
 */
export function podmanRunFlags(): string[] {
  const nofile = hardOpenFilesLimit();
  return [
    '--runtime',
    'runc',
    '--network',
    'host',
    '--read-only',
    '--init',
    '--pull',
    'never',
    '--ulimit',
    `nofile=${nofile}:${nofile}`,
    '--ulimit',
    'nproc=32768:32768',
    '--tmpfs',
    '/tmp:rw,size=64m,mode=1777',
  ];
}

/** This process's hard limit on open files (`ulimit -Hn`). */
export function hardOpenFilesLimit(): string {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const hard = line?.trim().split(/\s+/)[4];
  return hard && hard !== 'unlimited' ? hard : '1048576';
}

/** `podman run` of `run.image` with `env`; the names are passed, the values stay out of argv. */
function spawnContainer(run: ContainerRun, env: Record<string, string>): ChildProcess {
  const args = [
    'run',
    '--rm',
    '--replace',
    '--name',
    run.name,
    ...podmanRunFlags(),
    ...(run.mounts ?? []).flatMap((m) => ['--volume', m]),
    ...Object.keys(env).flatMap((k) => ['--env', k]),
    run.image,
  ];
  return spawn('podman', args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
}

/** `podman kill --signal`; false when there is no such running container (yet, or any more). */
async function podmanKill(name: string, signal: NodeJS.Signals): Promise<boolean> {
  return execFileP('podman', ['kill', '--signal', signal, name]).then(
    () => true,
    () => false,
  );
}

/**
 * Runs `node script` with exactly `env` (plus PATH). The child gets a process group of its own:
 * a Ctrl-C in the terminal reaches the launcher only, which stops the fleet in order.
 */
export function runNode(script: string, env: Record<string, string>, opts: RunOptions = {}): RunningProcess {
  const container = opts.container;
  const child = container
    ? spawnContainer(container, env)
    : spawn(process.execPath, [...(opts.nodeArgs ?? []), script], {
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
        ...(opts.cwd ? { cwd: opts.cwd } : {}),
      });
  // A signal to the client is not one to the service, and a SIGKILLed client leaves its
  // container running: signals go to the container, again until it exists (a stop can come while
  // podman is still creating it).
  const signal = (s: NodeJS.Signals) => {
    if (!container) {
      child.kill(s);
      return;
    }
    void (async () => {
      while (running() && !(await podmanKill(container.name, s))) {
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
  };
  const log: WriteStream | undefined = opts.logFile
    ? createWriteStream(opts.logFile, { flags: 'a' })
    : undefined;
  const lines: LogLine[] = [];
  const waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    log?.write(c);
    stderr = (stderr + c.toString()).slice(-8_000);
  });
  createInterface({ input: child.stdout! }).on('line', (text) => {
    log?.write(`${text}\n`);
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { msg: text };
    }
    lines.push(line);
    if (lines.length > KEPT_LINES) lines.splice(0, lines.length - KEPT_LINES);
    for (const w of [...waiters]) {
      if (w.match(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      log?.end();
      resolve({ code, signal });
    }),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  const p: RunningProcess = {
    child,
    ...(container ? { containerName: container.name } : {}),
    lines,
    exited,
    running,
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
      if (running()) signal('SIGTERM');
      const kill =
        killAfterMs === undefined
          ? undefined
          : setTimeout(() => {
              if (running()) signal('SIGKILL');
            }, killAfterMs);
      await exited;
      clearTimeout(kill);
    },
    async kill() {
      if (running()) signal('SIGKILL');
      await exited;
    },
    stderrTail: () => stderr,
  };
  opts.onStart?.(p);
  return p;
}

/** The sandbox process on an ephemeral port (more settings in `env`); resolves once it listens. */
export async function startSandboxProcess(
  env: Record<string, string> = {},
  opts: RunOptions = {},
): Promise<{ url: string; process: RunningProcess }> {
  const p = runNode(sandboxMain(), { SANDBOX_PORT: '0', ...env }, opts);
  const line = await p.waitFor(
    (l) => typeof l.msg === 'string' && l.msg.startsWith('upstream sandbox listening'),
  );
  return { url: /(http:\/\/\S+)/.exec(line.msg!)![1]!, process: p };
}

/** A gateway process (dist/main.js) with the given environment; resolves once it listens. */
export async function startGatewayProcess(
  env: Record<string, string>,
  opts: RunOptions = {},
): Promise<{ url: string; process: RunningProcess }> {
  const p = runNode(gatewayMain(), env, opts);
  const line = await p.waitFor((l) => l.msg === 'gateway listening');
  return { url: String(line.url), process: p };
}

/** A standalone plugin host (dist/main.js); resolves once it listens on PLUGIN_HOST_PORT. */
export async function startPluginHostProcess(
  env: Record<string, string>,
  opts: RunOptions = {},
): Promise<{ url: string; process: RunningProcess }> {
  const p = runNode(pluginHostMain(), env, opts);
  const line = await p.waitFor((l) => l.msg === 'plugin host listening');
  const host = env.HOST ?? '127.0.0.1';
  return { url: `http://${host}:${String(line.port)}`, process: p };
}
