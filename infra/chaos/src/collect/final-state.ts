// The final state of the run, once it has settled: the gateways' rows and outbox, every order the
// workload used as the aggregator holds it, and the ledger's journal and trial balance as its
// routes answer them.

import { openDatabase, sql } from '@paystream/db';
import { type Fleet, openFleetRecords } from '@paystream/fleet';
import { type Currency, parseAmount } from '@paystream/money';
import type { FinalState, LedgerEntry, SandboxOrder } from '../history.js';

/** `work` for every item, `size` at a time. */
async function inWaves<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  return out;
}

const minor = (amount: unknown, currency: unknown) =>
  parseAmount(String(amount), String(currency) as Currency);

/** The plugin hosts' outbox rows, in position order. */
async function pluginOutboxRows(fleet: Fleet): Promise<FinalState['pluginOutbox']> {
  if (!fleet.pluginDatabaseUrl) return [];
  const database = openDatabase({ url: fleet.pluginDatabaseUrl, poolSize: 1 });
  try {
    const { rows } = await sql<{
      event_id: string;
      topic: string;
      position: string;
      created_at: string;
      sent_at: string | null;
    }>`select event_id, topic, position, created_at, sent_at from paystream_plugin_outbox order by position`.execute(
      database.db,
    );
    return rows.map((r) => ({
      eventId: r.event_id,
      topic: r.topic,
      position: Number(r.position),
      createdAt: r.created_at,
      sentAt: r.sent_at,
    }));
  } finally {
    await database.destroy();
  }
}

/** The plugin hosts' outbox rows not sent yet. */
export async function pluginOutboxPending(fleet: Fleet): Promise<number> {
  if (!fleet.pluginDatabaseUrl) return 0;
  const database = openDatabase({ url: fleet.pluginDatabaseUrl, poolSize: 1 });
  try {
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from paystream_plugin_outbox where sent_at is null`.execute(database.db);
    return Number(rows[0]?.n ?? 0);
  } finally {
    await database.destroy();
  }
}

async function getJson(url: string, apiKey: string): Promise<unknown> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` } });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

export async function collectFinalState(fleet: Fleet, orderNumbers: readonly string[]): Promise<FinalState> {
  const records = openFleetRecords(fleet.databaseUrl);
  try {
    const [orders, refunds, outbox] = await Promise.all([
      records.orders(),
      records.refunds(),
      records.outbox(),
    ]);
    const sandboxOrders: Record<string, SandboxOrder | null> = {};
    await inWaves(orderNumbers, 16, async (no) => {
      const o = await fleet.controls.order(no);
      if (!o) {
        sandboxOrders[no] = null;
        return;
      }
      const refundsUpstream = (o.refunds as { refund_no: string; refund_amount: string }[]) ?? [];
      sandboxOrders[no] = {
        outTradeNo: no,
        status: String(o.status),
        amountMinor: minor(o.transaction_amount, o.currency),
        currency: String(o.currency),
        refundedMinor: minor(o.refunded_amount, o.currency),
        refunds: refundsUpstream.map((r) => ({
          refundNo: r.refund_no,
          amountMinor: minor(r.refund_amount, o.currency),
        })),
      };
    });
    const host = fleet.hosts.find((h) => h.running());
    if (!host) throw new Error('no plugin host is running to read the ledger from');
    const ledger: LedgerEntry[] = [];
    await inWaves(orderNumbers, 8, async (no) => {
      const journal = (await getJson(
        `${host.url}/plugins/accounting/journal?outTradeNo=${encodeURIComponent(no)}`,
        fleet.apiKey,
      )) as {
        entries: (Omit<LedgerEntry, 'postings'> & {
          postings: { account: string; side: 'debit' | 'credit'; amount: string; currency: string }[];
        })[];
      };
      for (const e of journal.entries) {
        ledger.push({
          ...e,
          postings: e.postings.map((p) => ({
            account: p.account,
            side: p.side,
            amountMinor: minor(p.amount, p.currency),
            currency: p.currency,
          })),
        });
      }
    });
    const trial = (await getJson(`${host.url}/plugins/accounting/trial-balance`, fleet.apiKey)) as {
      currency: string;
      debit: string;
      credit: string;
    }[];
    return {
      gatewayOrders: orders.map((o) => ({
        outTradeNo: o.out_trade_no,
        status: o.status,
        amountMinor: Number(o.amount_minor),
        currency: o.currency,
        refundedMinor: Number(o.refunded_minor),
        sequence: Number(o.sequence),
        intent: o.intent,
      })),
      gatewayRefunds: refunds.map((r) => ({
        outTradeNo: r.out_trade_no,
        refundNo: r.refund_no,
        amountMinor: Number(r.amount_minor),
        status: r.status,
        upstreamRef: r.upstream_ref,
      })),
      sandboxOrders,
      ledger,
      trialBalance: trial.map((t) => ({
        currency: t.currency,
        debitMinor: minor(t.debit, t.currency),
        creditMinor: minor(t.credit, t.currency),
      })),
      outbox,
      pluginOutboxPending: await pluginOutboxPending(fleet),
      pluginOutbox: await pluginOutboxRows(fleet),
    };
  } finally {
    await records.close();
  }
}
