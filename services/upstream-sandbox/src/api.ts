import type { CallOperation, Signer } from '@paystream/upstream-client';
import type { Request, Response } from 'express';
import { answer, type WireAnswer } from './answer.js';
import { authenticate } from './auth.js';
import { type FaultQueue, faultApplies } from './faults.js';
import type { SandboxLogger } from './logger.js';
import { runOperation } from './operations.js';
import type { SandboxState } from './state.js';

export interface ApiContext {
  state: SandboxState;
  faults: FaultQueue;
  signer: Signer;
  now: () => Date;
  toleranceMs: number;
  logger?: SandboxLogger | undefined;
  /** Steady answer latency of every call (a fault's delayMs replaces it). */
  latencyMs?: number;
}

/** Handles one aggregator call: faults first, then the gate, then the operation's rules. */
export async function handleApiCall(op: CallOperation, req: Request, res: Response, ctx: ApiContext) {
  const started = performance.now();
  const fault = ctx.faults.take(op);
  const params = parseBody(req.body);
  // Holding the unique key while a delayed request is "in flight" is what lets a concurrent
  // duplicate meet the aggregator's -99 rule instead of 03.
  const key = params ? uniqueKey(op, params) : undefined;
  const release = key && fault?.delayMs ? ctx.state.reserve(key) : undefined;
  let result: WireAnswer | undefined;
  try {
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (!fault || faultApplies(fault)) result = process(op, params, ctx, release ? key : undefined);
  } finally {
    release?.();
  }
  // The operation took effect at once; only its answer travels slowly, as over a real network.
  if (fault?.delayMs === undefined && ctx.latencyMs) await sleep(ctx.latencyMs);
  if (fault?.timeout) {
    // The aggregator went silent: the effect (if applied) stands, the answer never comes.
    ctx.logger?.info(
      { operation: op, faultId: fault.id, code: result?.code },
      'sandbox call held (timeout fault)',
    );
    return;
  }
  const out = fault?.code ? answer(fault.code, fault.message) : (result ?? answer('-1'));
  ctx.logger?.info(
    {
      operation: op,
      code: out.code,
      outTradeNo: typeof params?.out_trade_no === 'string' ? params.out_trade_no : undefined,
      faultId: fault?.id,
      durationMs: Math.round(performance.now() - started),
    },
    'sandbox call',
  );
  res.status(200).json(out);
}

function process(
  op: CallOperation,
  params: Record<string, unknown> | undefined,
  ctx: ApiContext,
  ownReservation: string | undefined,
): WireAnswer {
  if (!params) return answer('-13');
  const gate = authenticate(params, {
    merchants: ctx.state.merchants,
    signer: ctx.signer,
    now: ctx.now,
    toleranceMs: ctx.toleranceMs,
  });
  if (!gate.ok) return gate.answer;
  return runOperation(op, params, {
    state: ctx.state,
    merchant: gate.merchant,
    now: ctx.now(),
    ...(ownReservation ? { ownReservation } : {}),
  });
}

/** The body as a JSON object, or undefined when it is not one (-13). */
function parseBody(body: unknown): Record<string, unknown> | undefined {
  if (typeof body !== 'string' || body === '') return undefined;
  try {
    const json: unknown = JSON.parse(body);
    return typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function uniqueKey(op: CallOperation, params: Record<string, unknown>): string | undefined {
  const value = op === 'create' ? params.out_trade_no : op === 'refund' ? params.refund_no : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
