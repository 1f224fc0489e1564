import type { Tracer } from '@opentelemetry/api';
import {
  NO_CODE,
  observeUpstreamCall,
  type UpstreamCallIds,
  type UpstreamMetrics,
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
  function observed<T>(
    operation: CallOperation,
    ids: UpstreamCallIds,
    call: () => Promise<UpstreamResult<T>>,
  ): Promise<UpstreamResult<T>> {
    return observeUpstreamCall(tracer, metrics, operation, ids, call, (result) => {
      const code = result.outcome === 'unknown' ? NO_CODE : result.code;
      const category = result.outcome === 'unknown' ? result.reason : result.entry.category;
      return {
        labels: { code, category },
        outcome: result.outcome,
        ...(result.outcome === 'success' ? {} : { error: `${operation} ${result.outcome} ${code}` }),
      };
    });
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
