import type { UpstreamOrderView, UpstreamQuery } from '@paystream/plugin-sdk';
import type { UpstreamClient } from '@paystream/upstream-client';

/** The read-only order query plugins get, on the signed upstream client. */
export function upstreamQuery(client: UpstreamClient | undefined): UpstreamQuery {
  return {
    async queryOrder(outTradeNo, signal): Promise<UpstreamOrderView> {
      if (!client)
        return { outcome: 'unavailable', outTradeNo, reason: 'no upstream configured for this host' };
      const r = await client.queryPayment({ outTradeNo }, signal ? { signal } : {});
      if (r.outcome === 'success')
        return {
          outcome: 'found',
          outTradeNo,
          status: r.data.status,
          amountMinor: r.data.amount,
          refundedMinor: r.data.refundedAmount,
          currency: r.data.currency,
        };
      if (r.outcome === 'rejected' && r.entry.category === 'not_found')
        return { outcome: 'not_found', outTradeNo, code: r.code };
      return {
        outcome: 'unavailable',
        outTradeNo,
        reason: r.outcome === 'rejected' ? `upstream code ${r.code}` : `${r.reason}: ${r.error}`,
      };
    },
  };
}
