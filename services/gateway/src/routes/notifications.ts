import express, { Router } from 'express';
import { labelRoute } from '../http/tracing.js';
import type { NotificationService } from '../payments/notifications.js';

/** POST /v1/notifications/upstream: the aggregator's notify_url. Verified on the raw bytes. */
export function notificationsRouter(deps: { notifications: NotificationService; bodyLimit: string }): Router {
  const router = Router();
  router.post(
    '/upstream',
    labelRoute,
    // The signature covers the bytes the aggregator sent; it never compresses them, so a
    // Content-Encoding other than identity is refused (415) rather than inflated.
    express.raw({ type: () => true, limit: deps.bodyLimit, inflate: false }),
    async (req, res) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const answer = await deps.notifications.receive(raw);
      res.status(answer.status).json(answer.body);
    },
  );
  return router;
}
