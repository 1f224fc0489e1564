// The host hands plugins an order query that counts nothing (the plugin host's upstream.ts), while
// the gateway counts each of its calls (its instrumented client). Reconciliation queries the
// aggregator once per order, so its calls are counted here, in the same series as the gateway's:
// `paystream_upstream_requests_total{operation="query",code,category}`, the per-wallet counter and
// the latency histogram, on the registry the plugin's metrics service gives it (the all-in-one
// shares it with the gateway: one /metrics, one series). The host's view keeps the code only for
// `not_found` and for rejections (in the reason it writes); a success is code 00, and a failure
// with no answer is code `none` with its reason (timeout, network, bad_response) as category.
import { catalog, describe, isStatusCode, isWallet, SUCCESS_CODE } from '@paystream/codes';
import type { PluginMetrics, UpstreamOrderView, UpstreamQuery } from '@paystream/plugin-sdk';
import {
  NO_CODE,
  observeUpstreamCall,
  type UpstreamMetrics,
  upstreamMetrics,
  type withSpan,
} from '@paystream/telemetry';

const OPERATION = 'query';

/** The tracer the plugin's tracer service gives (OpenTelemetry's, as the telemetry package takes it). */
type Tracer = Parameters<typeof withSpan>[0];

/** The order query, told the order's wallet when the caller knows it (the per-wallet counter). */
export interface CountedQuery extends UpstreamQuery {
  queryOrder(outTradeNo: string, signal?: AbortSignal, wallet?: string): Promise<UpstreamOrderView>;
}

// How the host writes an answer it could not use (services/plugin-host/src/upstream.ts).
const REJECTED = /^upstream code (\S+)$/;
const NO_ANSWER = /^(timeout|network|bad_response): /;
/** The host's answer when it has no upstream client: no call was made, nothing to count. */
const NOT_CONFIGURED = 'no upstream configured for this host';

/** The code and category of one answer, as the gateway labels its calls; null when no call was made. */
export function callLabels(view: UpstreamOrderView): { code: string; category: string } | null {
  if (view.outcome === 'found') return { code: SUCCESS_CODE, category: 'success' };
  if (view.outcome === 'not_found')
    return { code: view.code, category: describe(view.code, { operation: OPERATION }).category };
  if (view.reason === NOT_CONFIGURED) return null;
  const rejected = REJECTED.exec(view.reason);
  if (rejected)
    return { code: rejected[1]!, category: describe(rejected[1]!, { operation: OPERATION }).category };
  // A failure without an answer; a reason written otherwise still counts, as a network failure.
  return { code: NO_CODE, category: NO_ANSWER.exec(view.reason)?.[1] ?? 'network' };
}

/** The upstream metrics on `registry`, bounded as the gateway bounds them (catalog codes, wallets). */
export function queryMetrics(registry: PluginMetrics['registry']): UpstreamMetrics {
  return upstreamMetrics(registry, {
    isKnownCode: isStatusCode,
    isKnownWallet: isWallet,
    // The query codes that page exist at 0 from start-up, as the gateway's do.
    zeroSeries: catalog
      .filter((e) => e.alert && e.operations.includes(OPERATION))
      .map((e) => ({ operation: OPERATION, code: e.code, category: e.category })),
  });
}

/**
 * Wraps the query so every call is one CLIENT span `upstream query` and one count with its code.
 * A query that throws counts as code `none`, category `network`, and throws on.
 */
export function countedQuery(query: UpstreamQuery, metrics: UpstreamMetrics, tracer: Tracer): CountedQuery {
  return {
    queryOrder(outTradeNo, signal, wallet) {
      return observeUpstreamCall(
        tracer,
        metrics,
        OPERATION,
        { outTradeNo, ...(wallet ? { wallet } : {}) },
        () => query.queryOrder(outTradeNo, signal),
        (view) => ({
          labels: callLabels(view),
          outcome: view.outcome,
          ...(view.outcome === 'unavailable' ? { error: `${OPERATION} unavailable` } : {}),
        }),
        { code: NO_CODE, category: 'network' },
      );
    },
  };
}
