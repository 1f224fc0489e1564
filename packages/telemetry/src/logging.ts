import { fileURLToPath } from 'node:url';
import { censoredPino } from '@paystream/logger';
import { type Logger, type LoggerOptions, pino } from 'pino';

/**
 * pino options for a process: JSON lines (with `trace_id`/`span_id`, added by the pino
 * instrumentation) by default; on a terminal, one pretty line per event for people (`make start`).
 * `pretty` forces either way.
 */
export function loggerOptions(opts: { name: string; level?: string; pretty?: boolean }): LoggerOptions {
  const pretty = opts.pretty ?? Boolean(process.stdout.isTTY);
  return {
    name: opts.name,
    level: opts.level ?? 'info',
    ...(pretty
      ? {
          transport: {
            // An absolute path: pino resolves the target from its own folder, where pnpm has no pino-pretty.
            target: fileURLToPath(import.meta.resolve('pino-pretty')),
            options: {
              colorize: true,
              singleLine: true,
              translateTime: 'SYS:HH:MM:ss.l',
              ignore: 'pid,hostname,trace_flags',
            },
          },
        }
      : {}),
  };
}

/** How long a log line may wait in the buffer before it is written anyway. */
const FLUSH_EVERY_MS = 1000;

/**
 * A process's logger. JSON lines go to stdout through a buffered, asynchronous destination: a
 * synchronous write per line was one syscall per request, about 5 % of the gateway's CPU per
 * create. Lines wait at most a second, and pino flushes the buffer synchronously when the process
 * exits (a SIGKILL can lose the last second). On a terminal, the pretty transport as before.
 * Either way secrets are censored (`censoredPino`).
 */
export function createProcessLogger(opts: { name: string; level?: string; pretty?: boolean }): Logger {
  const options = loggerOptions(opts);
  if (options.transport) return censoredPino(options);
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => destination.flush(), FLUSH_EVERY_MS).unref();
  return censoredPino(options, destination);
}
