import { pino } from 'pino';

/**
 * The pino subset every Paystream package logs through. Libraries take one as an option and stay
 * silent without it; processes pass a pino logger (see {@link createLogger}).
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A {@link Logger} that can make children carrying extra fields (pino's `child`). */
export interface ChildLogger extends Logger {
  child(bindings: Record<string, unknown>): ChildLogger;
}

const noop = () => {};

/** Drops everything: what a library logs through when the process gave it no logger. */
export const silentLogger: ChildLogger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};

/** Field names whose values never reach a log line, at any depth pino's redaction reaches. */
export const REDACTED_FIELDS = [
  'private_key',
  'privateKey',
  'User_Confirm_Key',
  'userConfirmKey',
  'apiKey',
  'authorization',
  'secret',
  'password',
] as const;

/** pino's `redact` option: {@link REDACTED_FIELDS} censored at the top level and one and two levels deep. */
export const REDACTION = {
  paths: REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
  censor: '[redacted]',
};

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  name: string;
  level?: string;
  /** Where lines go. Default stdout. */
  destination?: pino.DestinationStream;
}

/** The process logger: pino, JSON lines, with {@link REDACTED_FIELDS} censored one and two levels deep. */
export function createLogger(opts: CreateLoggerOptions): pino.Logger {
  return pino({ name: opts.name, level: opts.level ?? 'info', redact: REDACTION }, opts.destination);
}
