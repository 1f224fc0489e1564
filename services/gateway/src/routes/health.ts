import { type AnswerOf, mount } from '@paystream/http-kit';
import { exposition } from '@paystream/telemetry';
import { Router } from 'express';
import type { Registry } from 'prom-client';
import { getHealth, getMetrics, getReadiness } from './table.js';

export interface ReadinessCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

/** /healthz (the process answers), /readyz (upstream, bus, database), /metrics. */
export function healthRouter(deps: { checks: readonly ReadinessCheck[]; registry: Registry }): Router {
  const router = Router();
  const live: AnswerOf<typeof getHealth> = { status: 200, body: { status: 'ok' } };
  mount(router, getHealth, (_req, res) => {
    res.status(live.status).json(live.body);
  });
  mount(router, getReadiness, async (_req, res) => {
    const results = await Promise.all(
      deps.checks.map(async (c) => {
        try {
          const r = await withDeadline(c.check(), 2_000);
          return [c.name, r] as const;
        } catch (err) {
          return [c.name, { ok: false, detail: err instanceof Error ? err.message : 'failed' }] as const;
        }
      }),
    );
    const ok = results.every(([, r]) => r.ok);
    const checks = Object.fromEntries(results);
    const answer: AnswerOf<typeof getReadiness> = ok
      ? { status: 200, body: { status: 'ready', checks } }
      : { status: 503, body: { status: 'not_ready', checks } };
    res.status(answer.status).json(answer.body);
  });
  // OpenMetrics (with trace exemplars) when the scraper asks for it, the Prometheus text format otherwise.
  mount(router, getMetrics, async (req, res) => {
    const { contentType, body } = await exposition(deps.registry, req.get('accept'));
    res.type(contentType).send(body);
  });
  return router;
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
