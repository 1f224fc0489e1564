// The ledger's money is the aggregator's. Per order, what the journal put into the clearing
// accounts (debits of assets:clearing:*) is what the aggregator was paid, and what it took out
// (credits) is what the aggregator gave back: refunds, and the whole amount of a canceled (reversed)
// order. The same per currency, and the trial balance's debits equal its credits. Each journal
// entry is on ledger.entries.v1, and each entry there is in the journal.
import type { FinalState, SandboxOrder, TopicRecord } from '../history.js';
import type { Anomaly } from './anomaly.js';

const CLEARING = 'assets:clearing:';
const PAID_STATUSES = new Set(['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED', 'CANCELED']);

/** What the aggregator was paid for the order, and what it gave back. */
export function sandboxMoney(o: SandboxOrder | null): { paid: number; returned: number } {
  if (!o || !PAID_STATUSES.has(o.status)) return { paid: 0, returned: 0 };
  // The aggregator cancels only a paid order without refunds, and gives the whole amount back.
  const reversed = o.status === 'CANCELED' ? o.amountMinor - o.refundedMinor : 0;
  return { paid: o.amountMinor, returned: o.refundedMinor + reversed };
}

export function checkLedger(final: FinalState, ledgerTopic: readonly TopicRecord[]): Anomaly[] {
  const anomalies: Anomaly[] = [];
  const booked = new Map<string, { paid: number; returned: number; currency: string; first?: string }>();
  for (const entry of final.ledger) {
    for (const p of entry.postings) {
      if (!p.account.startsWith(CLEARING)) continue;
      const b = booked.get(entry.outTradeNo) ?? { paid: 0, returned: 0, currency: p.currency };
      if (p.side === 'debit') b.paid += p.amountMinor;
      else b.returned += p.amountMinor;
      b.first ??= `${entry.eventType} ${entry.id}`;
      booked.set(entry.outTradeNo, b);
    }
  }
  const perCurrency = new Map<string, { ledger: number; sandbox: number }>();
  const add = (currency: string, side: 'ledger' | 'sandbox', n: number) => {
    const c = perCurrency.get(currency) ?? { ledger: 0, sandbox: 0 };
    c[side] += n;
    perCurrency.set(currency, c);
  };
  const numbers = new Set([...Object.keys(final.sandboxOrders), ...booked.keys()]);
  for (const no of [...numbers].sort()) {
    const upstream = final.sandboxOrders[no] ?? null;
    const want = sandboxMoney(upstream);
    const got = booked.get(no) ?? { paid: 0, returned: 0, currency: upstream?.currency ?? '?' };
    if (upstream) add(upstream.currency, 'sandbox', want.paid - want.returned);
    add(got.currency, 'ledger', got.paid - got.returned);
    if (got.paid !== want.paid || got.returned !== want.returned) {
      anomalies.push({
        kind: 'ledger-vs-sandbox',
        outTradeNo: no,
        step: got.first ?? 'no entry',
        detail: `the ledger took in ${got.paid} and gave back ${got.returned}; the aggregator (${upstream?.status ?? 'no order'}) was paid ${want.paid} and gave back ${want.returned}`,
      });
    }
  }
  for (const [currency, c] of perCurrency) {
    if (c.ledger !== c.sandbox) {
      anomalies.push({
        kind: 'ledger-vs-sandbox',
        step: currency,
        detail: `${currency}: the ledger's clearing holds ${c.ledger}, the aggregator ${c.sandbox}`,
      });
    }
  }
  for (const t of final.trialBalance) {
    if (t.debitMinor !== t.creditMinor) {
      anomalies.push({
        kind: 'trial-balance',
        step: t.currency,
        detail: `${t.currency}: debits ${t.debitMinor} ≠ credits ${t.creditMinor}`,
      });
    }
  }
  const onTopic = new Set(ledgerTopic.map((r) => r.id));
  const inJournal = new Set(final.ledger.map((e) => e.id));
  // Where the entry went missing: never put in the outbox, or sent from it and not on the topic.
  const outboxRow = new Map(
    final.pluginOutbox.filter((r) => r.topic === 'ledger.entries.v1').map((r) => [r.eventId, r]),
  );
  for (const e of final.ledger.filter((x) => !onTopic.has(x.id)).slice(0, 20)) {
    const row = outboxRow.get(e.id);
    const where = !row
      ? 'no plugin outbox row holds it'
      : row.sentAt
        ? `its plugin outbox row ${row.position} was marked sent at ${row.sentAt}`
        : `its plugin outbox row ${row.position} is unsent`;
    anomalies.push({
      kind: 'ledger-entry-missing',
      outTradeNo: e.outTradeNo,
      step: `${e.eventType} ${e.id}`,
      detail: `journal entry ${e.id} is not on ledger.entries.v1: ${where}`,
    });
  }
  const reported = new Set<string>();
  for (const r of ledgerTopic) {
    if (inJournal.has(r.id) || reported.has(r.id) || reported.size >= 20) continue;
    reported.add(r.id);
    anomalies.push({
      kind: 'ledger-entry-unbooked',
      outTradeNo: r.subject,
      step: `${r.data?.eventType ?? r.type} ${r.id}`,
      detail: `entry ${r.id} is on ledger.entries.v1 but not in the journal`,
    });
  }
  return anomalies;
}
