import { randomUUID } from 'node:crypto';
import { context, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import createClient, { type Middleware } from 'openapi-fetch';
import {
  PaystreamAbortedError,
  PaystreamError,
  PaystreamProblemError,
  PaystreamProtocolError,
  PaystreamUnavailableError,
} from './errors.js';
import type { paths } from './generated/gateway.js';
import {
  type AttemptResult,
  DEFAULT_RETRY,
  mayRetry,
  parseRetryAfter,
  type RetryOptions,
  retryDelayMs,
} from './retry.js';
import { traceHeaders } from './trace.js';
import type { CreatePaymentInput, Outcome, Payment, ProblemDocument, Refund, RefundInput } from './types.js';

export interface PaystreamClientOptions {
  /** The gateway, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`; never logged, never put on a span. */
  apiKey: string;
  /**
   * Deadline of one attempt. Default 30 000 ms: the gateway may wait for the aggregator (10 s by
   * default) and then query it before it answers.
   */
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
  /** Makes an Idempotency-Key; default `crypto.randomUUID()`. */
  idempotencyKey?: () => string;
  /** Default: the global tracer provider's `@paystream/client` tracer. */
  tracer?: Tracer;
  /** Default `globalThis.fetch`. */
  fetch?: (request: Request) => Promise<Response>;
}

export interface CallOptions {
  /** Aborts the call, retries included. */
  signal?: AbortSignal;
  /** Overrides the client's per-attempt deadline. */
  timeoutMs?: number;
  /**
   * The Idempotency-Key of this logical call. Pass the key of an earlier call (from its result or
   * error) to repeat it across processes; by default a new key is made once and reused on retries.
   */
  idempotencyKey?: string;
}

/** A typed client for the Paystream gateway. */
export interface PaystreamClient {
  /** `POST /v1/payments`: create a payment (scope payments:write). */
  createPayment(input: CreatePaymentInput, options?: CallOptions): Promise<Outcome<Payment>>;
  /** `GET /v1/payments/{outTradeNo}`: read a payment, refreshed from the aggregator. */
  getPayment(outTradeNo: string, options?: CallOptions): Promise<Outcome<Payment>>;
  /** `POST /v1/payments/{outTradeNo}/refunds`: refund part or all (scope refunds:write). */
  refundPayment(outTradeNo: string, input: RefundInput, options?: CallOptions): Promise<Outcome<Refund>>;
  /** `POST /v1/payments/{outTradeNo}/cancel`: reverse a paid payment in full (also needs refunds:write). */
  cancelPayment(outTradeNo: string, options?: CallOptions): Promise<Outcome<Payment>>;
  /** `POST /v1/payments/{outTradeNo}/close`: close an unpaid payment. */
  closePayment(outTradeNo: string, options?: CallOptions): Promise<Outcome<Payment>>;
}

type Answer = { data?: unknown; error?: unknown; response: Response };
type Send = (init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<Answer>;

interface Call {
  method: 'GET' | 'POST';
  /** The route template: the span name and `url.template`. */
  template: string;
  outTradeNo: string;
  send: Send;
}

const PROBLEM = 'application/problem+json';

/**
 * Answers that are not JSON (a proxy's HTML error page) become a problem without a `code`, so a
 * 5xx from something in front of the gateway is retried like a gateway failure.
 */
const nonJsonAsProblem: Middleware = {
  onResponse({ response }) {
    const type = response.headers.get('content-type') ?? '';
    if (/json/i.test(type)) return undefined;
    if (response.ok) return undefined;
    const headers = new Headers(response.headers);
    headers.set('content-type', PROBLEM);
    const problem: ProblemDocument = {
      type: 'about:blank',
      title: response.statusText || 'Not the gateway',
      status: response.status,
      detail: `HTTP ${response.status} without a problem document (${type || 'no content type'})`,
    };
    return new Response(JSON.stringify(problem), { status: response.status, headers });
  },
};

/** Builds a client: `createPaystreamClient({ baseUrl, apiKey })`. */
export function createPaystreamClient(options: PaystreamClientOptions): PaystreamClient {
  const retry: RetryOptions = { ...DEFAULT_RETRY, ...options.retry };
  if (!Number.isInteger(retry.attempts) || retry.attempts < 1) {
    throw new RangeError('retry.attempts must be an integer of at least 1');
  }
  const makeKey = options.idempotencyKey ?? randomUUID;
  const tracer = options.tracer ?? trace.getTracer('@paystream/client');
  const api = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { authorization: `Bearer ${options.apiKey}`, accept: `application/json, ${PROBLEM}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  api.use(nonJsonAsProblem);
  const defaultTimeout = options.timeoutMs ?? 30_000;

  async function run<T>(call: Call, opts: CallOptions = {}): Promise<Outcome<T>> {
    // One key per logical call, made before the first attempt and sent unchanged on every retry.
    const key = call.method === 'POST' ? (opts.idempotencyKey ?? makeKey()) : undefined;
    const timeoutMs = opts.timeoutMs ?? defaultTimeout;
    return tracer.startActiveSpan(
      `${call.method} ${call.template}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': call.method,
          'url.template': call.template,
          'paystream.out_trade_no': call.outTradeNo,
        },
      },
      async (span) => {
        try {
          const outcome = await attempts<T>(call, key, timeoutMs, opts.signal);
          span.setAttributes({
            'http.response.status_code': outcome.status,
            'paystream.client.attempts': outcome.attempts,
            'paystream.outcome': outcome.outcome,
          });
          return outcome;
        } catch (err) {
          if (err instanceof PaystreamProblemError) {
            span.setAttribute('http.response.status_code', err.status);
            if (err.code) span.setAttribute('paystream.upstream.code', err.code);
          }
          span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
          throw err;
        } finally {
          span.end();
        }
      },
    );
  }

  async function attempts<T>(
    call: Call,
    key: string | undefined,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Outcome<T>> {
    for (let attempt = 1; ; attempt += 1) {
      if (signal?.aborted) throw new PaystreamAbortedError(key, { cause: signal.reason });
      const headers: Record<string, string> = { ...traceHeaders(context.active()) };
      if (key) headers['idempotency-key'] = key;
      const deadline = AbortSignal.timeout(timeoutMs);
      let answer: Answer;
      try {
        answer = await call.send({
          headers,
          signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
        });
      } catch (err) {
        if (signal?.aborted) throw new PaystreamAbortedError(key, { cause: err });
        if (err instanceof PaystreamError) throw err;
        const timedOut = deadline.aborted;
        if (attempt >= retry.attempts) {
          throw new PaystreamUnavailableError(
            timedOut
              ? `No answer within ${timeoutMs} ms (${attempt} attempts)`
              : `The gateway could not be reached (${attempt} attempts): ${err instanceof Error ? err.message : String(err)}`,
            key,
            attempt,
            timedOut,
            { cause: err },
          );
        }
        await pause(retryDelayMs(retry, attempt, undefined), signal, key);
        continue;
      }
      const { response } = answer;
      const replayed = response.headers.get('idempotent-replayed') === 'true';
      if (response.status === 200 || response.status === 201) {
        return {
          outcome: 'done',
          status: response.status,
          value: answer.data as T,
          replayed,
          idempotencyKey: key,
          attempts: attempt,
        };
      }
      if (response.status === 202) {
        const value = answer.data as T & { detail?: string };
        return {
          outcome: 'unknown',
          status: 202,
          value,
          detail: value?.detail,
          idempotencyKey: key,
          attempts: attempt,
        };
      }
      const problem = asProblem(answer.error, response.status);
      const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
      const result: AttemptResult = { kind: 'problem', problem, replayed, retryAfterSeconds };
      if (attempt >= retry.attempts || !mayRetry(result, attempt)) {
        throw new PaystreamProblemError(problem, {
          replayed,
          ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
          ...(key ? { idempotencyKey: key } : {}),
        });
      }
      await pause(retryDelayMs(retry, attempt, retryAfterSeconds), signal, key);
    }
  }

  const path = (outTradeNo: string) => ({ path: { outTradeNo } });
  const endPayment =
    (action: 'cancel' | 'close') =>
    (outTradeNo: string, opts?: CallOptions): Promise<Outcome<Payment>> => {
      const template = `/v1/payments/{outTradeNo}/${action}` as const;
      return run<Payment>(
        {
          method: 'POST',
          template,
          outTradeNo,
          send: (init) => api.POST(template, { params: path(outTradeNo), ...init }),
        },
        opts,
      );
    };
  return {
    createPayment: (input, opts) =>
      run<Payment>(
        {
          method: 'POST',
          template: '/v1/payments',
          outTradeNo: input.outTradeNo,
          send: (init) => api.POST('/v1/payments', { body: input, ...init }),
        },
        opts,
      ),
    getPayment: (outTradeNo, opts) =>
      run<Payment>(
        {
          method: 'GET',
          template: '/v1/payments/{outTradeNo}',
          outTradeNo,
          send: (init) => api.GET('/v1/payments/{outTradeNo}', { params: path(outTradeNo), ...init }),
        },
        opts,
      ),
    refundPayment: (outTradeNo, input, opts) =>
      run<Refund>(
        {
          method: 'POST',
          template: '/v1/payments/{outTradeNo}/refunds',
          outTradeNo,
          send: (init) =>
            api.POST('/v1/payments/{outTradeNo}/refunds', { params: path(outTradeNo), body: input, ...init }),
        },
        opts,
      ),
    cancelPayment: endPayment('cancel'),
    closePayment: endPayment('close'),
  };
}

/** The problem document of an error answer (tolerant: extra members are kept, missing ones filled). */
function asProblem(body: unknown, status: number): ProblemDocument {
  if (!body || typeof body !== 'object' || typeof (body as { title?: unknown }).title !== 'string') {
    throw new PaystreamProtocolError(`HTTP ${status} without a problem document`, status);
  }
  const p = body as Partial<ProblemDocument>;
  return {
    ...(p as ProblemDocument),
    type: typeof p.type === 'string' ? p.type : 'about:blank',
    status: typeof p.status === 'number' ? p.status : status,
    detail: typeof p.detail === 'string' ? p.detail : '',
  };
}

/** Waits between attempts; the caller's signal cuts the wait short. */
function pause(ms: number, signal: AbortSignal | undefined, key: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ms <= 0) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      reject(new PaystreamAbortedError(key, { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
