import express, { type Response, type Router } from 'express';
import type { z } from 'zod';
import { type FaultQueue, faultSchema } from './faults.js';
import type { Notifier } from './notify.js';
import { lagSchema, paySchema } from './schemas.js';
import type { SandboxState } from './state.js';
import { orderView } from './view.js';

export interface ControlsContext {
  state: SandboxState;
  faults: FaultQueue;
  notifier: Notifier;
  now: () => Date;
}

/** The /__sandbox controls: fault injection, simulated payment, inspection, reset. */
export function sandboxControls(ctx: ControlsContext): Router {
  const router = express.Router();
  router.use(express.json({ limit: '16kb' }));

  router.post('/faults', (req, res) => {
    const parsed = faultSchema.safeParse(req.body ?? {});
    if (!parsed.success) return invalid(res, parsed.error);
    res.status(201).json(ctx.faults.add(parsed.data));
  });
  router.get('/faults', (_req, res) => {
    res.json({ faults: ctx.faults.list() });
  });
  router.delete('/faults', (_req, res) => {
    ctx.faults.clear();
    res.status(204).end();
  });

  router.post('/orders/:outTradeNo/pay', async (req, res) => {
    const parsed = paySchema.safeParse(req.body ?? {});
    if (!parsed.success) return invalid(res, parsed.error);
    const order = ctx.state.orders.get(req.params.outTradeNo);
    if (!order) return problem(res, 404, 'Order does not exist');
    const payable = parsed.data.late ? 'CLOSED' : 'PENDING';
    if (order.status !== payable) {
      return problem(
        res,
        409,
        parsed.data.late
          ? `Only a closed order can be paid late; this one is ${order.status}`
          : `Only a pending order can be paid; this one is ${order.status}`,
      );
    }
    order.status = 'PAID';
    order.paidAt = ctx.now();
    const merchant = ctx.state.merchants.get(order.userConfirmKey);
    const notify =
      parsed.data.notify === false || !merchant ? undefined : await ctx.notifier.deliver(order, merchant);
    res.json({ order: orderView(order), notify });
  });

  router.post('/orders/:outTradeNo/notify', async (req, res) => {
    const order = ctx.state.orders.get(req.params.outTradeNo);
    const merchant = order && ctx.state.merchants.get(order.userConfirmKey);
    if (!order || !merchant) return problem(res, 404, 'Order does not exist');
    const notify = ctx.notifier.redeliver(order, merchant);
    if (!notify) return problem(res, 409, 'No notify was sent for this order yet');
    res.json({ notify: await notify });
  });

  router.post('/orders/:outTradeNo/lag', (req, res) => {
    const parsed = lagSchema.safeParse(req.body ?? {});
    if (!parsed.success) return invalid(res, parsed.error);
    const order = ctx.state.orders.get(req.params.outTradeNo);
    if (!order) return problem(res, 404, 'Order does not exist');
    order.lagQueries = parsed.data.times;
    res.status(204).end();
  });

  router.delete('/orders/:outTradeNo', (req, res) => {
    if (!ctx.state.forget(req.params.outTradeNo)) return problem(res, 404, 'Order does not exist');
    res.status(204).end();
  });

  router.get('/orders/:outTradeNo', (req, res) => {
    const order = ctx.state.orders.get(req.params.outTradeNo);
    if (!order) return problem(res, 404, 'Order does not exist');
    res.json({ ...orderView(order), notify_url: order.notifyUrl, notify_attempts: order.notifyAttempts });
  });

  router.post('/reset', (_req, res) => {
    ctx.state.reset();
    ctx.faults.clear();
    res.status(204).end();
  });

  return router;
}

function problem(
  res: Response,
  status: number,
  title: string,
  errors?: { field: string; message: string }[],
) {
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', title, status, ...(errors ? { errors } : {}) }));
}

function invalid(res: Response, error: z.ZodError) {
  const errors = error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
  problem(res, 400, 'Invalid control request', errors);
}
