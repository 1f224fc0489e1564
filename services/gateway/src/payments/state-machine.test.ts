// The transition table itself: acyclic (nothing leads back), each event on one edge, and
// whatever order observations arrive in, a status only moves forward and each event once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES, type OrderStatus } from '../store/schema.js';
import {
  advance,
  isForward,
  ORDER_TRANSITIONS,
  pathOf,
  REFUND_TRANSITIONS,
  refundMove,
} from './state-machine.js';

const STATUSES: readonly OrderStatus[] = ORDER_STATUSES;
const OPERATIONS = ['create', 'query', 'notify', 'refund', 'cancel', 'close'] as const;

describe('the order transition table', () => {
  it('never leads back: no status is forward of itself through another', () => {
    for (const a of STATUSES) {
      for (const b of STATUSES) {
        if (a === b) continue;
        // failed → unknown is a new attempt at a create nobody heard of; the pair is the one loop.
        const retry = (a === 'failed' && b === 'unknown') || (a === 'unknown' && b === 'failed');
        if (!retry) expect(isForward(a, b) && isForward(b, a), `${a} <-> ${b}`).toBe(false);
      }
    }
  });

  it('gives each success event exactly one edge into its status', () => {
    const targets = new Map<string, Set<OrderStatus>>();
    for (const t of ORDER_TRANSITIONS) {
      if (!t.event) continue;
      targets.set(t.event, (targets.get(t.event) ?? new Set()).add(t.to));
    }
    for (const [event, to] of targets) expect(to.size, event).toBe(1);
  });

  it('lets a query or notify observe what happened, and the writes only their own moves', () => {
    expect(advance('pending', 'paid', 'notify')).toEqual({ status: 'paid', events: ['payment.succeeded'] });
    expect(advance('paid', 'pending', 'query')).toEqual({ status: 'paid', events: [] });
    expect(advance('unknown', 'canceled', 'query')).toEqual({
      status: 'canceled',
      events: ['payment.created', 'payment.succeeded', 'payment.canceled'],
    });
    expect(advance('pending', 'closed', 'notify')).toEqual({ status: 'pending', events: [] });
    expect(advance('refunded', 'paid', 'notify')).toEqual({ status: 'refunded', events: [] });
    // A successful refund proves the payment the notify has not reported yet.
    expect(advance('pending', 'partially_refunded', 'refund')).toEqual({
      status: 'partially_refunded',
      events: ['payment.succeeded'],
    });
    expect(pathOf('paid', 'canceled', 'close')).toBeUndefined();
  });

  it('whatever order the observations arrive in: forward only, each event at most once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...STATUSES), fc.constantFrom(...OPERATIONS)), { maxLength: 30 }),
        (observations) => {
          let status: OrderStatus = 'unknown';
          const seen: string[] = [];
          for (const [observed, op] of observations) {
            const next = advance(status, observed, op);
            if (next.status !== status) expect(isForward(status, next.status)).toBe(true);
            seen.push(...next.events);
            status = next.status;
          }
          // A failed create retried may be created once more; everything else happens once.
          const once = seen.filter((e) => e !== 'payment.failed' && e !== 'payment.created');
          expect(new Set(once).size).toBe(once.length);
          expect(seen.filter((e) => e === 'payment.created').length).toBeLessThanOrEqual(
            1 + seen.filter((e) => e === 'payment.failed').length,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the refund transition table', () => {
  it('settles a pending refund once, by its answer or a query', () => {
    expect(refundMove('pending', 'succeeded', 'query')?.event).toBe('refund.succeeded');
    expect(refundMove('pending', 'failed', 'refund')?.event).toBe('refund.failed');
    expect(refundMove('succeeded', 'failed', 'query')).toBeUndefined();
    expect(refundMove('failed', 'pending', 'refund')).toEqual(REFUND_TRANSITIONS[2]);
    expect(refundMove(undefined, 'pending', 'refund')).toEqual({});
  });
});

describe('docs/architecture.md', () => {
  it('draws exactly the edges of the code’s tables', () => {
    const doc = readFileSync(
      join(import.meta.dirname, '..', '..', '..', '..', 'docs', 'architecture.md'),
      'utf8',
    );
    const rows = [...doc.matchAll(/^\| `(\w+)`\s*\| `(\w+)`\s*\| (`[\w.]+`|—)\s*\|([^|]+)\|$/gm)].map(
      (m) => ({
        from: m[1],
        to: m[2],
        event: m[3] === '—' ? undefined : m[3]!.replaceAll('`', ''),
        by: m[4]!.split(',').map((x) => x.trim()),
      }),
    );
    const code = [...ORDER_TRANSITIONS, ...REFUND_TRANSITIONS].map((t) => ({
      from: t.from,
      to: t.to,
      event: t.event,
      by: [...t.by],
    }));
    expect(rows).toEqual(code);
  });
});
