import type { Tracer } from '@opentelemetry/api';
import {
  ATTR_CURRENCY,
  ATTR_OUT_TRADE_NO,
  ATTR_REFUND_NO,
  ATTR_UPSTREAM_CATEGORY,
  ATTR_UPSTREAM_CODE,
  ATTR_UPSTREAM_OPERATION,
  ATTR_UPSTREAM_OUTCOME,
  ATTR_WALLET,
  NO_CODE,
  SpanKind,
  SpanStatusCode,
  spanNames,
  type UpstreamMetrics,
  withSpan,
} from '@paystream/telemetry';
import type { CallOperation, UpstreamClient, UpstreamResult } from '@paystream/upstream-client';

/** Which client method is which operation (queryRefund is a query on the wire). */
const OPERATION_OF: Record<
  Exclude<keyof UpstreamClient, 'destroy' | 'sendRaw' | 'poolStats'>,
  CallOperation
> = {
  createPayment: 'create',
  queryPayment: 'query',
  queryRefund: 'query',
  refundPayment: 'refund',
  cancelPayment: 'cancel',
  closePayment: 'close',
};

/**
 * Wraps a client so every call is exactly one CLIENT span and one counter increment labelled with
 * its code. Timeouts and network failures have no code: they count as code "none" with the reason
 * as category. Only identifiers go on the span, never request bodies (they carry the keys).
 */
export function instrumentUpstream(
  client: UpstreamClient,
  tracer: Tracer,
  metrics: UpstreamMetrics,
): UpstreamClient {
  async function observed<T>(
    operation: CallOperation,
    ids: { outTradeNo?: string; refundNo?: string; wallet?: string; currency?: string },
    call: () => Promise<UpstreamResult<T>>,
  ): Promise<UpstreamResult<T>> {
    return withSpan(
      tracer,
      spanNames.upstream(operation),
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [ATTR_UPSTREAM_OPERATION]: operation,
          ...(ids.outTradeNo ? { [ATTR_OUT_TRADE_NO]: ids.outTradeNo } : {}),
          ...(ids.refundNo ? { [ATTR_REFUND_NO]: ids.refundNo } : {}),
          ...(ids.wallet ? { [ATTR_WALLET]: ids.wallet } : {}),
          ...(ids.currency ? { [ATTR_CURRENCY]: ids.currency } : {}),
        },
      },
      async (span) => {
        const started = performance.now();
        const result = await call();
        const seconds = (performance.now() - started) / 1000;
        const code = result.outcome === 'unknown' ? NO_CODE : result.code;
        const category = result.outcome === 'unknown' ? result.reason : result.entry.category;
        span.setAttributes({
          [ATTR_UPSTREAM_CODE]: code,
          [ATTR_UPSTREAM_CATEGORY]: category,
          [ATTR_UPSTREAM_OUTCOME]: result.outcome,
        });
        if (result.outcome !== 'success') {
          span.setStatus({ code: SpanStatusCode.ERROR, message: `${operation} ${result.outcome} ${code}` });
        }
        metrics.observe({ operation, code, category, wallet: ids.wallet, seconds });
        return result;
      },
    );
  }

  return {
    createPayment: (i, o) => observed(OPERATION_OF.createPayment, i, () => client.createPayment(i, o)),
    queryPayment: (i, o) => observed(OPERATION_OF.queryPayment, i, () => client.queryPayment(i, o)),
    queryRefund: (i, o) => observed(OPERATION_OF.queryRefund, i, () => client.queryRefund(i, o)),
    refundPayment: (i, o) => observed(OPERATION_OF.refundPayment, i, () => client.refundPayment(i, o)),
    cancelPayment: (i, o) => observed(OPERATION_OF.cancelPayment, i, () => client.cancelPayment(i, o)),
    closePayment: (i, o) => observed(OPERATION_OF.closePayment, i, () => client.closePayment(i, o)),
    sendRaw: (op, params, o) => observed(op, {}, () => client.sendRaw(op, params, o)),
    poolStats: () => client.poolStats(),
    destroy: () => client.destroy(),
  };
}
