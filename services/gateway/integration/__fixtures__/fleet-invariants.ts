// What must hold for every order after any race between instances of a fleet, whoever won it.
import type { PaystreamEvent } from '@paystream/events';
import type { Fleet } from '@paystream/fleet';
import { STATUS_OF_WIRE } from '../../src/__fixtures__/wire-status.js';

/** The events of a status move: each happens once in an order's life, so each is recorded once. */
export const TRANSITION_EVENTS = [
  'payment.created',
  'payment.succeeded',
  'payment.canceled',
  'payment.closed',
  'payment.failed',
] as const;

/** The orders that do not have exactly one event of `type`, with how many they have. */
export function notOnce(
  events: readonly PaystreamEvent[],
  outTradeNos: readonly string[],
  type: string,
): Record<string, number> {
  const counts = new Map(outTradeNos.map((no) => [no, 0]));
  for (const e of events) {
    const n = counts.get(e.subject);
    if (n !== undefined && e.type === type) counts.set(e.subject, n + 1);
  }
  return Object.fromEntries([...counts].filter(([, n]) => n !== 1));
}

/**
 * Every way the orders break the fleet's invariant, one line each (empty when none): per order
 * the event sequences are exactly 1..n, no transition event is recorded twice, and the gateway's
 * status is the sandbox's (no sandbox order: the create failed).
 */
export async function fleetViolations(fleet: Fleet, outTradeNos: readonly string[]): Promise<string[]> {
  const events = await fleet.records.events(outTradeNos);
  const problems: string[] = [];
  for (const no of outTradeNos) {
    const own = events.filter((e) => e.subject === no);
    const sequences = own.map((e) => e.data.sequence).sort((a, b) => a - b);
    if (sequences.some((s, i) => s !== i + 1)) problems.push(`${no}: sequences ${sequences.join(',')}`);
    for (const type of TRANSITION_EVENTS) {
      const twice = own.filter((e) => e.type === type);
      // Which paths recorded it (notify, query, create...) tells which race it was.
      const by = twice.map((e) => e.data.operation).join(', ');
      if (twice.length > 1) problems.push(`${no}: ${type} x${twice.length} (by ${by})`);
    }
    const [row, upstream] = await Promise.all([fleet.records.order(no), fleet.controls.order(no)]);
    const expected = upstream ? STATUS_OF_WIRE[String(upstream.status)] : 'failed';
    const actual = row?.status ?? 'failed';
    if (actual !== expected) {
      problems.push(`${no}: gateway ${actual}, sandbox ${String(upstream?.status ?? 'has no order')}`);
    }
  }
  return problems;
}
