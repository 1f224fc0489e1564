import { type AnswerOf, mount } from '@paystream/http-kit';
import express, { Router } from 'express';
import { labelRoute } from '../http/tracing.js';
import type { NotificationService } from '../payments/notifications.js';
import { receiveUpstreamNotification } from './table.js';

const ACK: AnswerOf<typeof receiveUpstreamNotification> = {
  status: 200,
  body: { code: '00', msg: 'SUCCESS' },
};

/** POST /v1/notifications/upstream: the aggregator's notify_url. Verified on the raw bytes. */
export function notificationsRouter(deps: { notifications: NotificationService; bodyLimit: string }): Router {
  const router = Router();
  mount(
    router,
    receiveUpstreamNotification,
    labelRoute,
    // The signature covers the bytes the aggregator sent; it never compresses them, so a
    // Content-Encoding other than identity is refused (415) rather than inflated.
    express.raw({ type: () => true, limit: deps.bodyLimit, inflate: false }),
    async (req, res) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      // Recorded now or before: either way the aggregator must hear it, or it sends it again.
      await deps.notifications.receive(raw);
      res.status(ACK.status).json(ACK.body);
    },
  );
  return router;
}
