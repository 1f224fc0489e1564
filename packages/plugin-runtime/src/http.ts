// The host's HTTP surface: each plugin's routes under /plugins/<id>/ behind the gateway's API-key
// authentication, operators' dead-letter routes under /admin/plugins, and (standalone) health and
// metrics. Errors answer RFC 9457 problems like the gateway's (both through @paystream/http-kit).
import {
  type AnswerOf,
  authenticate,
  handler,
  mount,
  PROBLEM_TYPE,
  problemMiddleware,
  scoped,
} from '@paystream/http-kit';
import type { Logger } from '@paystream/logger';
import { PluginHttpError } from '@paystream/plugin-sdk';
import { httpRequestsCounter } from '@paystream/telemetry';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import { deadLetterQuery, listDeadLetters, listPlugins, redriveDeadLetters } from './admin-routes.js';
import type { PluginHost } from './host.js';
import { countHostRequests } from './http-metrics.js';

/** Options of {@link createHostApp}. */
export interface HostAppOptions {
  logger: Logger;
  /** Where `paystream_http_requests_total` counts the host's requests (the all-in-one's shared one). */
  registry: Registry;
  /** Serve /healthz, /readyz and /metrics too (standalone; the all-in-one's gateway serves them). */
  health?: { bus: { health(): Promise<{ ok: boolean; detail?: string }> } };
}

// The gateway's problem types, by status: a plugin's refusal reads like the gateway's.
const TYPE_OF_STATUS: Record<number, string> = {
  400: 'validation',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'unprocessable',
  429: 'too-many-requests',
  503: 'unavailable',
};

/** A plugin's error as a problem document, typed like the gateway's, with `errors[]` on a 400. */
export function pluginProblem(err: PluginHttpError, instance: string) {
  return {
    type: `${PROBLEM_TYPE}${TYPE_OF_STATUS[err.status] ?? (err.status >= 500 ? 'plugin-error' : 'client-error')}`,
    title: err.title,
    status: err.status,
    detail: err.message,
    instance,
    ...(err.errors
      ? { errors: err.errors }
      : err.status === 400
        ? { errors: [{ field: '(request)', message: err.message }] }
        : {}),
  };
}

/** Every answer of the host is about money or dead letters: no cache may keep one. */
const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

// Plugin errors carry their own status; everything else goes through the shared mapping.
function pluginProblems(logger: Logger): ErrorRequestHandler {
  const fallback = problemMiddleware(logger);
  return (err, req, res, next) => {
    if (!(err instanceof PluginHttpError)) return fallback(err, req, res, next);
    if (res.headersSent) return;
    res
      .status(err.status)
      .type('application/problem+json')
      .json(pluginProblem(err, req.originalUrl.split('?')[0] ?? req.originalUrl));
  };
}

/** The host's Express app (supertest it, or listen on PLUGIN_HOST_PORT). */
export function createHostApp(host: PluginHost, opts: HostAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const { registry } = opts;
  app.use(countHostRequests(httpRequestsCounter(registry), host.plugins));
  if (opts.health) {
    const { bus } = opts.health;
    app.get('/healthz', (_req, res) => {
      res.json({ status: 'ok' });
    });
    app.get('/readyz', async (_req, res) => {
      const [plugins, busHealth] = await Promise.all([host.status(), bus.health()]);
      const ok = busHealth.ok && plugins.every((p) => p.ok);
      res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not_ready', bus: busHealth, plugins });
    });
    app.get('/metrics', async (_req, res) => {
      res.type(registry.contentType).send(await registry.metrics());
    });
  }
  const auth = authenticate(host.apiKeys);
  const admin = express.Router();
  mount(
    admin,
    listPlugins,
    handler(listPlugins)(async () => ({ status: 200, body: { plugins: await host.status() } })),
  );
  mount(admin, listDeadLetters, async (req, res, next) => {
    // Refused as the host always has: its own title and detail, and the query's own field names.
    const query = deadLetterQuery.safeParse(req.query);
    if (!query.success) {
      const errors = query.error.issues.map((i) => ({
        field: i.path.join('.') || '(query)',
        message: i.message,
      }));
      return next(new PluginHttpError(400, 'Bad Request', 'The query is not valid', errors));
    }
    const answer: AnswerOf<typeof listDeadLetters> = {
      status: 200,
      body: { deadLetters: await host.deadLetters(String(req.params.id), query.data.limit) },
    };
    res.status(answer.status).json(answer.body);
  });
  mount(
    admin,
    redriveDeadLetters,
    handler(redriveDeadLetters)(async ({ params }) => ({ status: 200, body: await host.redrive(params.id) })),
  );
  app.use('/admin/plugins', noStore, auth, scoped('plugins:admin'), (req, _res, next) => {
    const id = req.path.split('/')[1];
    if (id && !host.plugins.includes(id))
      return next(new PluginHttpError(404, 'Not Found', `no plugin ${id}`));
    next();
  });
  app.use(admin);
  for (const [id, router] of host.routers())
    app.use(`/plugins/${id}`, noStore, auth, express.json({ limit: '64kb' }), router);
  app.use((req, _res, next) =>
    next(new PluginHttpError(404, 'Not Found', `No route ${req.method} ${req.path}`)),
  );
  app.use(pluginProblems(opts.logger));
  return app;
}
