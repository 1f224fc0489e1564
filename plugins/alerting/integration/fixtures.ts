import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { createAlertingPlugin } from '../src/index.js';
import type { AlertingOptions } from '../src/options.js';
import { DEFAULT_RULES_FILE } from '../src/rules/load.js';

/** The shipped rules with a short quiet period, so resolution happens within a test. */
export function shippedRules(resolveAfter = '3s'): unknown {
  const doc = parse(readFileSync(DEFAULT_RULES_FILE, 'utf8')) as { defaults: Record<string, unknown> };
  return { ...doc, defaults: { ...doc.defaults, resolveAfter } };
}

/** Test-speed timers (the defaults are seconds to minutes), the shipped rules, no log channel. */
export function fastOptions(o: Partial<AlertingOptions> = {}): Partial<AlertingOptions> {
  return {
    rules: shippedRules(),
    log: false,
    deliverIntervalMs: 50,
    evaluateIntervalMs: 100,
    resendIntervalMs: 500,
    retryBackoffMs: 100,
    retryBackoffMaxMs: 1000,
    timeoutMs: 2000,
    ...o,
  };
}

/** The alerting plugin with {@link fastOptions}. */
export function fastAlerting(o: Partial<AlertingOptions> = {}) {
  return createAlertingPlugin(fastOptions(o));
}
