import type { BusLogger } from './types.js';

const noop = () => {};

/** A logger that drops everything: libraries stay quiet unless the process passes its logger. */
export const silentLogger: BusLogger = { debug: noop, info: noop, warn: noop, error: noop };

/** The message of anything thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
