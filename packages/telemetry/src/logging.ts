import { fileURLToPath } from 'node:url';
import type { LoggerOptions } from 'pino';

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
