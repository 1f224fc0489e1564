// Per order, the sequences of its events (one copy per id) are exactly 1..n, and n is what the
// gateway's row handed out: a gap is an event lost between the gateway and the topic, a number
// used twice is two events the gateways recorded for one place in the order's history.
import type { GatewayOrder, TopicRecord } from '../history.js';
import { type Anomaly, anomaliesPerOrder } from './anomaly.js';
import { stepOf } from './paths.js';

export function checkSequences(
  byOrder: ReadonlyMap<string, readonly TopicRecord[]>,
  rows: readonly GatewayOrder[],
): Anomaly[] {
  return anomaliesPerOrder(byOrder, rows, (no, events, row) => {
    const anomalies: Anomaly[] = [];
    const bySequence = new Map<number, TopicRecord[]>();
    for (const e of events) {
      const s = Number(e.data?.sequence);
      bySequence.set(s, [...(bySequence.get(s) ?? []), e]);
    }
    const twice = [...bySequence].filter(([, es]) => es.length > 1).sort(([a], [b]) => a - b)[0];
    if (twice) {
      anomalies.push({
        kind: 'sequence-duplicate',
        outTradeNo: no,
        step: twice[1].map(stepOf).join(' and '),
        detail: `sequence ${twice[0]} is used by ${twice[1].length} different events`,
      });
    }
    const last = Math.max(...bySequence.keys(), row?.sequence ?? 0);
    for (let s = 1; s <= last; s++) {
      if (bySequence.has(s)) continue;
      const before = bySequence.get(s - 1)?.[0];
      anomalies.push({
        kind: 'sequence-gap',
        outTradeNo: no,
        step: before ? `after ${stepOf(before)}` : `#${s}`,
        detail: `sequence ${s} is missing (the order's events go up to ${last})`,
      });
      break;
    }
    return anomalies;
  });
}
