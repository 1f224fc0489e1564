// What the gateways recorded against what reached payments.events.v1: every outbox row is on the
// topic under its id (nothing lost between commit and Kafka), nothing on the topic came from
// anywhere else, and no outbox row (the gateways' or the plugin hosts') is still unsent once the
// run has settled.
import type { FinalState, TopicRecord } from '../history.js';
import type { Anomaly } from './anomaly.js';

export function checkOutbox(final: FinalState, payments: readonly TopicRecord[]): Anomaly[] {
  const anomalies: Anomaly[] = [];
  const onTopic = new Set(payments.map((r) => r.id));
  const recorded = new Set(final.outbox.map((r) => r.id));
  const lost = final.outbox.filter((r) => r.sent && !onTopic.has(r.id));
  const stuck = final.outbox.filter((r) => !r.sent);
  const unrecorded = payments.filter((r) => !recorded.has(r.id));
  for (const r of lost.slice(0, 20)) {
    anomalies.push({
      kind: 'event-lost',
      outTradeNo: r.subject,
      step: `outbox ${r.id}`,
      detail: `event ${r.id} is marked sent in the outbox but is not on payments.events.v1`,
    });
  }
  if (stuck.length > 0) {
    anomalies.push({
      kind: 'outbox-stuck',
      outTradeNo: stuck[0]!.subject,
      step: `outbox ${stuck[0]!.id}`,
      detail: `${stuck.length} gateway outbox rows unsent after the run settled`,
    });
  }
  if (final.pluginOutboxPending > 0) {
    anomalies.push({
      kind: 'outbox-stuck',
      detail: `${final.pluginOutboxPending} plugin outbox rows unsent after the run settled`,
    });
  }
  const seenUnrecorded = new Set<string>();
  for (const r of unrecorded) {
    if (seenUnrecorded.has(r.id) || seenUnrecorded.size >= 20) continue;
    seenUnrecorded.add(r.id);
    anomalies.push({
      kind: 'event-unrecorded',
      outTradeNo: r.subject,
      step: `${r.type} ${r.id}`,
      detail: `event ${r.id} is on payments.events.v1 but in no gateway's outbox`,
    });
  }
  return anomalies;
}
