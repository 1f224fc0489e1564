// The ledger's HTTP routes (a fixed interface: finance tools call them), mounted at
// /plugins/accounting/ behind the gateway's API keys. Reading needs `ledger:read`; anything that queries the aggregator (a
// reconciliation: one query per order) needs `ledger:reconcile`, so a reporting key cannot make
// Paystream call the aggregator hundreds of times. Amounts leave as decimal strings.
import {
  formatAmount,
  type PluginHttpRouter,
  PluginNotFoundError,
  PluginValidationError,
} from '@paystream/plugin-sdk';
import { signedAmount } from './amounts.js';
import type { DailyReport } from './daily.js';
import { dailyJson } from './daily-format.js';
import { hkDayOf, isHkDay } from './hk-day.js';
import type { Ledger } from './ledger.js';
import type { ReconciliationReport } from './reconcile.js';

const ORDER_NO = /^[A-Za-z0-9_.-]{1,64}$/;

/** Registers the routes. */
export function ledgerRoutes(
  http: PluginHttpRouter,
  ledger: Ledger,
  reconciliation: {
    last(): ReconciliationReport | null;
    run(outTradeNo?: string): Promise<ReconciliationReport>;
  },
  daily: {
    stored(day: string): Promise<DailyReport | null>;
    run(day: string): Promise<DailyReport>;
  },
): void {
  const { router } = http;
  const read = http.requireScope('ledger:read');
  const reconcile = http.requireScope('ledger:reconcile');

  router.get('/trial-balance', read, async (_req, res) => {
    const totals = await ledger.trialBalance();
    res.json(
      totals.map((t) => ({
        currency: t.currency,
        debit: formatAmount(t.debitMinor, t.currency),
        credit: formatAmount(t.creditMinor, t.currency),
      })),
    );
  });

  router.get('/journal', read, async (req, res) => {
    const outTradeNo = req.query.outTradeNo;
    if (typeof outTradeNo !== 'string' || !ORDER_NO.test(outTradeNo))
      throw new PluginValidationError([
        { field: 'outTradeNo', message: 'is required: 1 to 64 letters, digits, "_", "-" or "."' },
      ]);
    const entries = await ledger.journal(outTradeNo);
    res.json({
      entries: entries.map((e) => ({
        id: e.id,
        eventId: e.eventId,
        eventType: e.eventType,
        outTradeNo: e.outTradeNo,
        ...(e.refundNo ? { refundNo: e.refundNo } : {}),
        postedAt: e.postedAt,
        postings: e.postings.map((p) => ({
          account: p.account,
          side: p.side,
          amount: formatAmount(p.amountMinor, p.currency),
          currency: p.currency,
        })),
      })),
    });
  });

  router.get('/accounts/:account', read, async (req, res) => {
    const account = String(req.params.account);
    const totals = await ledger.account(account);
    if (totals.length === 0) throw new PluginNotFoundError(`no postings on account ${account}`);
    res.json({
      account,
      balances: totals.map((t) => ({
        currency: t.currency,
        debit: formatAmount(t.debitMinor, t.currency),
        credit: formatAmount(t.creditMinor, t.currency),
        // Debit minus credit: positive for assets and refunds, negative for income.
        balance: signedAmount(t.debitMinor - t.creditMinor, t.currency),
      })),
    });
  });

  router.get('/reconciliation', read, (_req, res) => {
    res.json({ report: reconciliation.last() });
  });

  router.post('/reconciliation', reconcile, async (req, res) => {
    const outTradeNo = req.query.outTradeNo;
    if (outTradeNo !== undefined && (typeof outTradeNo !== 'string' || !ORDER_NO.test(outTradeNo)))
      throw new PluginValidationError([
        { field: 'outTradeNo', message: 'must be 1 to 64 letters, digits, "_", "-" or "."' },
      ]);
    res.json({ report: await reconciliation.run(outTradeNo) });
  });

  router.get('/reconciliation/daily', read, async (req, res) => {
    const day = hongKongDay(req.query.date);
    const report = await daily.stored(day);
    if (!report)
      throw new PluginNotFoundError(
        `no daily reconciliation stored for ${day}: POST /plugins/accounting/reconciliation/daily?date=${day} (scope ledger:reconcile) runs it`,
      );
    res.json({ report: dailyJson(report) });
  });

  router.post('/reconciliation/daily', reconcile, async (req, res) => {
    res.json({ report: dailyJson(await daily.run(hongKongDay(req.query.date))) });
  });
}

/** The `date` parameter: a Hong Kong day that has begun (today's report covers it so far). */
function hongKongDay(date: unknown): string {
  if (!isHkDay(date) || date > hkDayOf(new Date()))
    throw new PluginValidationError([
      { field: 'date', message: 'is required: a Hong Kong day YYYY-MM-DD, today or earlier' },
    ]);
  return date;
}
