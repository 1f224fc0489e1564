import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { activeServerSpan } from '@paystream/telemetry';
import type { Request, RequestHandler } from 'express';
import type { Counter } from 'prom-client';

// The template a request matched, recorded the moment it matched: error paths leave the router
// (which resets req.baseUrl and req.route), so reading it at the end would lose it.
const templates = new WeakMap<Request, string>();

/** The matched route template (`/v1/payments/:outTradeNo`), never the raw path with its ids. */
export function routeOf(req: Request): string {
  const recorded = templates.get(req);
  if (recorded) return recorded;
  const path = req.route?.path;
  if (typeof path !== 'string') return 'unmatched';
  return `${req.baseUrl}${path === '/' && req.baseUrl ? '' : path}`;
}

/**
 * First handler of every route: records its template before authentication, body parsing or the
 * work can fail, so metrics and spans name the route whatever the outcome.
 */
export const labelRoute: RequestHandler = (req, _res, next) => {
  templates.set(req, routeOf(req));
  next();
};

/**
 * One SERVER span per request, continuing the caller's W3C trace context, active for the whole
 * request (so upstream spans and events' traceparent hang under it), and one counter increment.
 */
export function httpTracing(
  tracer: Tracer,
  requests: Counter<'route' | 'method' | 'status'>,
  log?: { info(obj: object, msg?: string): void },
): RequestHandler {
  return (req, res, next) => {
    // Under the OpenTelemetry SDK's http instrumentation the SERVER span already exists (and is
    // ended by it): name it after the route template instead of writing a second one.
    const instrumented = activeServerSpan();
    const parent = instrumented ? context.active() : propagation.extract(ROOT_CONTEXT, req.headers);
    const span =
      instrumented ??
      tracer.startSpan(
        req.method,
        {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': req.method, 'url.path': req.path },
        },
        parent,
      );
    const started = performance.now();
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const route = routeOf(req);
      // Closed before an answer was sent: the client went away. Counted as such (499, the
      // customary "client closed request"), never as a server error.
      const status = res.writableFinished ? res.statusCode : 499;
      span.updateName(`${req.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
      if (!instrumented) {
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
      requests.inc({ route, method: req.method, status: String(status) });
      log?.info(
        {
          method: req.method,
          route,
          status,
          durationMs: Math.round(performance.now() - started),
        },
        'request',
      );
    };
    res.once('finish', end);
    res.once('close', end);
    if (instrumented) next();
    else context.with(trace.setSpan(parent, span), next);
  };
}
