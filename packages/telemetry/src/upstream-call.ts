// One call to the aggregator as the gateway and the reconciling plugin both record it: a CLIENT
// span `upstream <operation>` and one count, labelled with the call's code and category, in the
// series `paystream_upstream_requests_total`, the per-wallet counter and the latency histogram.
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { UpstreamMetrics } from './metrics.js';
import {
  ATTR_CURRENCY,
  ATTR_OUT_TRADE_NO,
  ATTR_REFUND_NO,
  ATTR_UPSTREAM_CATEGORY,
  ATTR_UPSTREAM_CODE,
  ATTR_UPSTREAM_OPERATION,
  ATTR_UPSTREAM_OUTCOME,
  ATTR_WALLET,
  spanNames,
} from './semconv.js';
import { withSpan } from './spans.js';

/** The identifiers an upstream call's span carries: never request bodies (they carry the keys). */
export interface UpstreamCallIds {
  outTradeNo?: string;
  refundNo?: string;
  /** Also the per-wallet counter's label. */
  wallet?: string;
  currency?: string;
}

/** The labels a call is counted with. */
export interface UpstreamCallLabels {
  code: string;
  category: string;
}

/** How a call came out, read from its answer. */
export interface UpstreamCallSettled {
  /** What it is counted with; null when no call was made (nothing is counted). */
  labels: UpstreamCallLabels | null;
  /** The span's `paystream.upstream.outcome`. */
  outcome: string;
  /** When set, the span's status is an error with this message. */
  error?: string;
}

/**
 * Runs `call` as one CLIENT span `upstream <operation>` carrying `ids`, timed, and counts it in
 * `metrics` with the labels `settle` reads from its answer; the span gets the code, category and
 * outcome too. With `thrown`, a call that throws is counted with those labels, and throws on.
 */
export function observeUpstreamCall<T>(
  tracer: Tracer,
  metrics: UpstreamMetrics,
  operation: string,
  ids: UpstreamCallIds,
  call: () => Promise<T>,
  settle: (result: T) => UpstreamCallSettled,
  thrown?: UpstreamCallLabels,
): Promise<T> {
  const attributes = {
    [ATTR_UPSTREAM_OPERATION]: operation,
    ...(ids.outTradeNo ? { [ATTR_OUT_TRADE_NO]: ids.outTradeNo } : {}),
    ...(ids.refundNo ? { [ATTR_REFUND_NO]: ids.refundNo } : {}),
    ...(ids.wallet ? { [ATTR_WALLET]: ids.wallet } : {}),
    ...(ids.currency ? { [ATTR_CURRENCY]: ids.currency } : {}),
  };
  return withSpan(
    tracer,
    spanNames.upstream(operation),
    { kind: SpanKind.CLIENT, attributes },
    async (span) => {
      const started = performance.now();
      const observe = ({ code, category }: UpstreamCallLabels) => {
        const seconds = (performance.now() - started) / 1000;
        metrics.observe({ operation, code, category, wallet: ids.wallet, seconds });
        span.setAttributes({ [ATTR_UPSTREAM_CODE]: code, [ATTR_UPSTREAM_CATEGORY]: category });
      };
      let result: T;
      try {
        result = await call();
      } catch (err) {
        if (thrown) observe(thrown);
        throw err;
      }
      const settled = settle(result);
      if (settled.labels) observe(settled.labels);
      span.setAttribute(ATTR_UPSTREAM_OUTCOME, settled.outcome);
      if (settled.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: settled.error });
      return result;
    },
  );
}
