// What a rule sees of an event, and how an alert's identity and texts are made from it.
import { createHash } from 'node:crypto';
import { formatAmount, type TypedEvent } from '@paystream/plugin-sdk';
import type { Rule } from './schema.js';

/** The fields of a payment event rules match and templates read. */
export interface Observation {
  eventId: string;
  type: string;
  code: string;
  category: string;
  operation: string;
  wallet: string;
  outTradeNo: string;
  refundNo?: string;
  /** Decimal string of the refund's amount, when the event names a refund. */
  refundAmount?: string;
  /** Decimal string of the order's amount. */
  amount: string;
  currency: string;
  /** Milliseconds since the epoch of the upstream answer. */
  at: number;
}

/** The observation of an event, or undefined when it carries no code (an unknown outcome). */
export function observe(event: TypedEvent): Observation | undefined {
  const d = event.data;
  if (d.code === null) return undefined;
  const at = Date.parse(d.occurredAt);
  return {
    eventId: event.id,
    type: event.type,
    code: d.code,
    category: d.category,
    operation: d.operation,
    wallet: d.wallet,
    outTradeNo: d.outTradeNo,
    amount: formatAmount(d.amountMinor as never, d.currency),
    currency: d.currency,
    at: Number.isNaN(at) ? Date.now() : at,
    ...(d.refundNo !== undefined ? { refundNo: d.refundNo } : {}),
    ...(d.refundAmountMinor !== undefined
      ? { refundAmount: formatAmount(d.refundAmountMinor as never, d.currency) }
      : {}),
  };
}

/** Whether the rule looks at this observation (every list the rule gives must hold the value). */
export function ruleMatches(rule: Rule, o: Observation): boolean {
  const m = rule.match;
  return (
    (m.codes === undefined || m.codes.includes(o.code)) &&
    (m.categories === undefined || m.categories.includes(o.category)) &&
    (m.operations === undefined || m.operations.includes(o.operation)) &&
    (m.types === undefined || (m.types as readonly string[]).includes(o.type)) &&
    (m.wallets === undefined || m.wallets.includes(o.wallet))
  );
}

/** The alert's labels: its name, severity and the rule's group-by values (its identity). */
export function alertLabels(rule: Rule, o: Observation): Record<string, string> {
  const labels: Record<string, string> = { alertname: rule.name, severity: rule.severity };
  for (const g of rule.groupBy) labels[g] = o[g];
  labels.service = 'paystream';
  return labels;
}

/** A stable id of an alert: the same labels always give the same fingerprint. */
export function fingerprint(labels: Record<string, string>): string {
  const canonical = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/** Fills `{{name}}` from the observation; a field the event lacks reads as `-`. */
export function render(template: string, o: Observation): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => {
    const v = (o as unknown as Record<string, unknown>)[k];
    return v === undefined ? '-' : String(v);
  });
}

/** Annotations of a firing alert: texts, its runbook, and the order (and refund) that raised it. */
export function alertAnnotations(rule: Rule, o: Observation): Record<string, string> {
  const a: Record<string, string> = {
    summary: render(rule.summary ?? `${rule.name}: code {{code}} on {{wallet}}`, o),
    runbook_url: render(rule.runbook, o),
    outTradeNo: o.outTradeNo,
    eventId: o.eventId,
    code: o.code,
    category: o.category,
    wallet: o.wallet,
    operation: o.operation,
    amount: `${o.amount} ${o.currency}`,
  };
  if (rule.description) a.description = render(rule.description, o);
  if (o.refundNo !== undefined) a.refundNo = o.refundNo;
  if (o.refundAmount !== undefined) a.refundAmount = `${o.refundAmount} ${o.currency}`;
  return a;
}

/** The fields a repeat adds about itself, replaced together on each repeat. */
const LATEST_FIELDS = [
  'lastOutTradeNo',
  'lastEventId',
  'lastOperation',
  'lastRefundNo',
  'lastRefundAmount',
] as const;

/**
 * Annotations after a repeat: those of the occurrence that raised the alert, the count, and the
 * latest occurrence's own fields only (a refund number left by an earlier repeat never sits beside
 * another order's number).
 */
export function repeatAnnotations(
  kept: Record<string, string>,
  o: Observation,
  occurrences: number,
): Record<string, string> {
  const a: Record<string, string> = { ...kept };
  for (const k of LATEST_FIELDS) delete a[k];
  a.occurrences = String(occurrences);
  a.lastOutTradeNo = o.outTradeNo;
  a.lastEventId = o.eventId;
  a.lastOperation = o.operation;
  if (o.refundNo !== undefined) a.lastRefundNo = o.refundNo;
  if (o.refundAmount !== undefined) a.lastRefundAmount = `${o.refundAmount} ${o.currency}`;
  return a;
}
