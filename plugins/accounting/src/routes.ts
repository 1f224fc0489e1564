// The ledger's HTTP routes (DESIGN fixed interface), mounted at /plugins/accounting/ behind the
// gateway's API keys; every route needs the `ledger:read` scope. Amounts leave as decimal strings.
import {
  type Currency,
  formatAmount,
  type PluginHttpRouter,
  PluginNotFoundError,
  PluginValidationError,
} from '@paystream/plugin-sdk';
import type { Ledger } from './ledger.js';
import type { ReconciliationReport } from './reconcile.js';

/** A signed decimal string (an account's balance may be negative). */
function signedAmount(minor: number, currency: Currency): string {
  return minor < 0 ? `-${formatAmount(-minor, currency)}` : formatAmount(minor, currency);
}

const ORDER_NO = /^[A-Za-z0-9_.-]{1,64}$/;

/** Registers the routes. */
export function ledgerRoutes(
  http: PluginHttpRouter,
  ledger: Ledger,
  reconciliation: {
    last(): ReconciliationReport | null;
    run(outTradeNo?: string): Promise<ReconciliationReport>;
  },
): void {
  const { router } = http;
  const read = http.requireScope('ledger:read');

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

  router.post('/reconciliation', read, async (req, res) => {
    const outTradeNo = req.query.outTradeNo;
    if (outTradeNo !== undefined && (typeof outTradeNo !== 'string' || !ORDER_NO.test(outTradeNo)))
      throw new PluginValidationError([
        { field: 'outTradeNo', message: 'must be 1 to 64 letters, digits, "_", "-" or "."' },
      ]);
    res.json({ report: await reconciliation.run(outTradeNo) });
  });
}
