import { EventEmitter } from 'node:events';
import { describe, SUCCESS_CODE } from '@paystream/codes';
import { formatAmount } from '@paystream/money';
import { Agent, request } from 'undici';
import type { z } from 'zod';
import { BadResponseError, toCanceled, toClosed, toCreated, toPaymentState, toRefundDone } from './map.js';
import { redact } from './redact.js';
import { hmacSha256Signer } from './signer.js';
import type {
  CallOperation,
  CallOptions,
  OrderRef,
  UpstreamClient,
  UpstreamClientOptions,
  UpstreamPoolStats,
  UpstreamResult,
} from './types.js';
import {
  QUERY_TYPE,
  toWireWallet,
  WIRE_PATHS,
  wireCanceled,
  wireClosed,
  wireCreated,
  wireEnvelope,
  wireOrder,
  wireRefund,
} from './wire.js';
import { formatWireTimestamp } from './wire-time.js';

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Sockets to the aggregator per process, sized for its latency rather than for loopback. A call
 * holds its socket for the whole answer, so the pool caps a process at connections ÷ latency: 16
 * sockets allowed ~800 creates/s against a 20 ms sandbox but only ~100/s against the aggregator at
 * ~150 ms, far below the few thousand creates/s one gateway's event loop can carry. 256 keeps
 * ~1,700 calls/s in flight at 150 ms (still ~250/s should it slow to 1 s) before calls queue.
 * Sockets open only as concurrency asks for them and close after 30 s idle, so a quiet process
 * holds few. Time spent queued counts against the call's deadline, so a saturated pool turns
 * creates into unknown outcomes: watch `paystream_upstream_pool_queued_requests` and raise
 * UPSTREAM_CONNECTIONS (within the aggregator's connection limit per merchant) before that.
 */
export const DEFAULT_UPSTREAM_CONNECTIONS = 256;

/**
 * One request per socket at a time. Pipelining signed POSTs to a payment API is not worth it:
 * a create, refund, cancel or close written behind another request shares that socket's fate, and
 * when it dies every request written on it has an unknown outcome (did the aggregator charge?),
 * each costing a settling query; and a pipelined socket answers in order, so a create waits
 * head-of-line behind a slow call (up to its 10 s deadline) while the pool, seeing that socket as
 * able to take more, opens no new one for it. undici itself never writes a non-idempotent request
 * behind another; with UPSTREAM_PIPELINING > 1 only queries (read-only, marked idempotent below)
 * are pipelined, and the other operations still wait for their socket to be free. More
 * connections, not pipelining, is how to carry more calls.
 */
export const DEFAULT_UPSTREAM_PIPELINING = 1;

/** Creates a client for the aggregator: one keep-alive connection pool, every operation typed. */
export function createUpstreamClient(opts: UpstreamClientOptions): UpstreamClient {
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signer = opts.signer ?? hmacSha256Signer;
  const now = opts.now ?? (() => new Date());
  const { userConfirmKey, privateKey } = opts.credentials;
  const secrets = [privateKey, userConfirmKey];
  const agent = new Agent({
    connections: opts.connections ?? DEFAULT_UPSTREAM_CONNECTIONS,
    pipelining: opts.pipelining ?? DEFAULT_UPSTREAM_PIPELINING,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
    // The call deadline below is the real limit; these only stop a socket outliving it.
    headersTimeout: timeoutMs + 1_000,
    bodyTimeout: timeoutMs + 1_000,
  });

  function authenticate(params: Record<string, unknown>): Record<string, unknown> {
    const body: Record<string, unknown> = { ...params };
    if (!('User_Confirm_Key' in body)) body.User_Confirm_Key = userConfirmKey;
    if (!('timestamp' in body)) body.timestamp = formatWireTimestamp(now());
    if (!('sign_type' in body)) body.sign_type = signer.name;
    // An empty private key means there is nothing to sign with; the aggregator answers -11.
    if (!('sign' in body) && privateKey !== '') body.sign = signer.sign(body, privateKey);
    return body;
  }

  async function call<W, T>(
    operation: CallOperation,
    params: Record<string, unknown> | string,
    schema: z.ZodType<W> | undefined,
    map: (data: W) => T,
    callOpts: CallOptions = {},
  ): Promise<UpstreamResult<T>> {
    const started = performance.now();
    const result = await exchange(operation, params, schema, map, callOpts);
    const durationMs = performance.now() - started;
    const code = result.outcome === 'unknown' ? null : result.code;
    const outTradeNo = typeof params === 'object' ? params.out_trade_no : undefined;
    const logFields = { operation, outTradeNo, code, outcome: result.outcome, durationMs };
    if (result.outcome === 'unknown') {
      opts.logger?.warn(
        { ...logFields, reason: result.reason, error: result.error },
        'upstream outcome unknown',
      );
    } else {
      opts.logger?.debug(logFields, 'upstream call');
    }
    try {
      opts.hooks?.onResult?.({ operation, code, outcome: result.outcome, durationMs });
    } catch (err) {
      opts.logger?.error({ operation, error: redact(String(err), secrets) }, 'onResult hook threw');
    }
    return result;
  }

  async function exchange<W, T>(
    operation: CallOperation,
    params: Record<string, unknown> | string,
    schema: z.ZodType<W> | undefined,
    map: (data: W) => T,
    callOpts: CallOptions,
  ): Promise<UpstreamResult<T>> {
    if (callOpts.signal?.aborted) return unknown('network', 'aborted by caller');
    // undici takes an EventEmitter as the abort signal: allocating an AbortController and its
    // EventTarget per call was a tenth of the client's CPU, mostly garbage.
    const abort = new EventEmitter();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.emit('abort');
    }, timeoutMs);
    const onCallerAbort = () => abort.emit('abort');
    callOpts.signal?.addEventListener('abort', onCallerAbort, { once: true });
    let text: string;
    let status: number;
    try {
      const body = typeof params === 'string' ? params : JSON.stringify(authenticate(params));
      const res = await request(`${baseUrl}${WIRE_PATHS[operation]}`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body,
        signal: abort,
        // A query changes nothing upstream: it may share a pipelined socket (UPSTREAM_PIPELINING).
        ...(operation === 'query' ? { idempotent: true, blocking: false } : {}),
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      if (timedOut) {
        return unknown('timeout', `no answer within ${timeoutMs} ms`);
      }
      if (callOpts.signal?.aborted) return unknown('network', 'aborted by caller');
      return unknown('network', describeError(err));
    } finally {
      clearTimeout(timer);
      callOpts.signal?.removeEventListener('abort', onCallerAbort);
    }

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return unknown('bad_response', `HTTP ${status}: body is not JSON`);
    }
    const envelope = wireEnvelope.safeParse(json);
    if (!envelope.success) return unknown('bad_response', `HTTP ${status}: no status code in the answer`);
    const { code, msg = '', data } = envelope.data;
    const entry = describe(code, { operation, message: msg });
    if (code !== SUCCESS_CODE) return { outcome: 'rejected', code, entry, message: redact(msg, secrets) };
    try {
      const mapped = schema ? map(schema.parse(data ?? {})) : map((data ?? {}) as W);
      return { outcome: 'success', code: SUCCESS_CODE, entry, data: mapped };
    } catch (err) {
      // The upstream said 00 but we cannot read what it did: only a query can tell.
      const detail =
        err instanceof BadResponseError ? err.message : 'answer data does not match the contract';
      return unknown('bad_response', `code 00 with unreadable data: ${detail}`);
    }
  }

  function unknown(reason: 'timeout' | 'network' | 'bad_response', error: string) {
    return { outcome: 'unknown', reason, error: redact(error, secrets) } as const;
  }

  function ref(i: OrderRef): Record<string, unknown> {
    return { out_trade_no: i.outTradeNo, ...(i.wallet ? toWireWallet(i.wallet) : {}) };
  }

  return {
    createPayment(i, o) {
      const params = {
        out_trade_no: i.outTradeNo,
        ...toWireWallet(i.wallet),
        currency: i.currency,
        transaction_amount: formatAmount(i.amount, i.currency),
        notify_url: i.notifyUrl,
        ...(i.description !== undefined ? { body: i.description } : {}),
      };
      return call('create', params, wireCreated, toCreated, o);
    },
    queryPayment(i, o) {
      return call('query', { querytype: QUERY_TYPE, ...ref(i) }, wireOrder, toPaymentState, o);
    },
    queryRefund(i, o) {
      const params = { querytype: QUERY_TYPE, ...ref(i), refund_no: i.refundNo };
      return call('query', params, wireRefund, toRefundDone, o);
    },
    refundPayment(i, o) {
      const params = {
        ...ref(i),
        refund_no: i.refundNo,
        refund_amount: formatAmount(i.amount, i.currency),
        currency: i.currency,
        ...(i.orderAmount !== undefined
          ? { transaction_amount: formatAmount(i.orderAmount, i.currency) }
          : {}),
      };
      return call('refund', params, wireRefund, toRefundDone, o);
    },
    cancelPayment(i, o) {
      return call('cancel', ref(i), wireCanceled, toCanceled, o);
    },
    closePayment(i, o) {
      return call('close', ref(i), wireClosed, toClosed, o);
    },
    sendRaw(operation, params, o) {
      return call(operation, params, undefined, (d: Record<string, unknown>) => d, o);
    },
    poolStats() {
      return poolStats(agent);
    },
    async destroy() {
      await agent.close();
    },
  };
}

/**
 * Sums undici's per-origin stats. With `connections: 1` an origin is a single Client (`connected`
 * a boolean), otherwise a Pool; `pending` covers both the pool's queue and requests a client holds
 * while its socket connects. A socket is busy while it carries a call (undici's own `free` lags
 * behind its drain event, so it is not used); with pipelining several calls may share one.
 */
function poolStats(agent: Agent): UpstreamPoolStats {
  const total: UpstreamPoolStats = { queued: 0, running: 0, busyConnections: 0, idleConnections: 0 };
  for (const s of Object.values(agent.stats)) {
    const connected = Number(s.connected);
    const busy = Math.min(connected, s.running);
    total.queued += s.pending;
    total.running += s.running;
    total.busyConnections += busy;
    total.idleConnections += connected - busy;
  }
  return total;
}

/** An error's code and message only: undici errors never carry the request body, but be sure. */
function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${typeof code === 'string' ? `${code} ` : ''}${err.message}${cause}`;
  }
  return 'request failed';
}
