import type { Request, RequestHandler } from 'express';
import type { Counter } from 'prom-client';

/**
 * The route template a host request is counted under: a plugin's own route template when it
 * matched (`/plugins/accounting/journal`), else the plugin's prefix (`/plugins/accounting/*`), the
 * admin templates, or `unmatched`: never a raw path, whose ids and numbers would make a series each.
 */
export function hostRoute(req: Request, plugins: readonly string[]): string {
  const path = req.originalUrl.split('?')[0] ?? '';
  const plugin = /^\/plugins\/([^/]+)(?:\/|$)/.exec(path)?.[1];
  if (plugin !== undefined) {
    if (!plugins.includes(plugin)) return 'unmatched';
    const template = req.route?.path;
    if (typeof template === 'string' && req.baseUrl === `/plugins/${plugin}`) {
      return `${req.baseUrl}${template === '/' ? '' : template}`;
    }
    return `/plugins/${plugin}/*`;
  }
  if (/^\/admin\/plugins\/?$/.test(path)) return '/admin/plugins';
  const admin = /^\/admin\/plugins\/[^/]+\/dead-letters(\/redrive)?\/?$/.exec(path);
  if (admin) return `/admin/plugins/:id/dead-letters${admin[1] ?? ''}`;
  if (path === '/healthz' || path === '/readyz' || path === '/metrics') return path;
  return 'unmatched';
}

/**
 * Counts every request the host answers in `paystream_http_requests_total`, like the gateway's
 * (in the all-in-one, plugin routes never pass the gateway's counting).
 */
export function countHostRequests(
  requests: Counter<'route' | 'method' | 'status'>,
  plugins: readonly string[],
): RequestHandler {
  return (req, res, next) => {
    let counted = false;
    const end = () => {
      if (counted) return;
      counted = true;
      // Closed before an answer was sent: the client went away (499, "client closed request").
      const status = res.writableFinished ? res.statusCode : 499;
      requests.inc({ route: hostRoute(req, plugins), method: req.method, status: String(status) });
    };
    res.once('finish', end);
    res.once('close', end);
    next();
  };
}
