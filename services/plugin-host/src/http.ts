// The host's HTTP surface: each plugin's routes under /plugins/<id>/ behind the gateway's API-key
// authentication, operators' dead-letter routes under /admin/plugins, and (standalone) health and
// metrics. Errors answer RFC 9457 problems like the gateway's.
import type { Scope } from '@paystream/config';
import { authenticate, problemMiddleware, requireScope } from '@paystream/gateway';
import type { Logger } from '@paystream/logger';
import { PluginHttpError } from '@paystream/plugin-sdk';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import type { PluginHost } from './host.js';

/** Options of {@link createHostApp}. */
export interface HostAppOptions {
  logger: Logger;
  /** Serve /healthz, /readyz and /metrics too (standalone; the all-in-one's gateway serves them). */
  health?: { registry: Registry; bus: { health(): Promise<{ ok: boolean; detail?: string }> } };
}

const scoped =
  (scope: Scope): RequestHandler =>
  (req, _res, next) => {
    try {
      requireScope(req, scope);
      next();
    } catch (err) {
      next(err);
    }
  };

// Plugin errors carry their own status; everything else goes through the gateway's mapping.
function pluginProblems(logger: Logger): ErrorRequestHandler {
  const fallback = problemMiddleware(logger);
  return (err, req, res, next) => {
    if (!(err instanceof PluginHttpError)) return fallback(err, req, res, next);
    if (res.headersSent) return;
    res
      .status(err.status)
      .type('application/problem+json')
      .json({
        type: 'about:blank',
        title: err.title,
        status: err.status,
        detail: err.message,
        instance: req.originalUrl,
        ...(err.errors ? { errors: err.errors } : {}),
      });
  };
}

/** The host's Express app (supertest it, or listen on PLUGIN_HOST_PORT). */
export function createHostApp(host: PluginHost, opts: HostAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  if (opts.health) {
    const { registry, bus } = opts.health;
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
  admin.get('/', async (_req, res) => {
    res.json({ plugins: await host.status() });
  });
  admin.get('/:id/dead-letters', async (req, res) => {
    const limit = Math.min(Number(req.query.limit ?? 100) || 100, 1000);
    res.json({ deadLetters: await host.deadLetters(String(req.params.id), limit) });
  });
  admin.post('/:id/dead-letters/redrive', async (req, res) => {
    res.json(await host.redrive(String(req.params.id)));
  });
  app.use('/admin/plugins', auth, scoped('plugins:admin'), (req, _res, next) => {
    const id = req.path.split('/')[1];
    if (id && !host.plugins.includes(id))
      return next(new PluginHttpError(404, 'Not Found', `no plugin ${id}`));
    next();
  });
  app.use('/admin/plugins', admin);
  for (const [id, router] of host.routers())
    app.use(`/plugins/${id}`, auth, express.json({ limit: '64kb' }), router);
  app.use((req, _res, next) =>
    next(new PluginHttpError(404, 'Not Found', `No route ${req.method} ${req.path}`)),
  );
  app.use(pluginProblems(opts.logger));
  return app;
}
