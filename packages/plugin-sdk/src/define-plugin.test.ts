import { createEvent, type PaymentEventData } from '@paystream/events';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  coreServices,
  definePlugin,
  PluginDefinitionError,
  subscriptionMatches,
  validatePluginOptions,
} from './index.js';

const data = (over: Partial<PaymentEventData> = {}): PaymentEventData => ({
  outTradeNo: 'ORD-1',
  sequence: 1,
  operation: 'create',
  code: '00',
  category: 'success',
  amountMinor: 100,
  currency: 'HKD',
  wallet: 'ALIPAYHK',
  occurredAt: '2026-01-02T03:04:05.000Z',
  ...over,
});

describe('definePlugin', () => {
  it('types each event by its type: a refund handler reads refundNo as a string', () => {
    const seen: string[] = [];
    const factory = definePlugin({
      id: 'refunds',
      subscribes: { types: ['refund.succeeded', 'payment.failed'] },
      deps: { logger: coreServices.logger },
      async handle(event) {
        if (event.type === 'refund.succeeded') {
          expectTypeOf(event.data.refundNo).toEqualTypeOf<string>();
          seen.push(event.data.refundNo);
        } else {
          expectTypeOf(event.data.code).toEqualTypeOf<string>();
        }
      },
    });
    expect(factory.id).toBe('refunds');
    expect(factory().spec.subscribes.types).toEqual(['refund.succeeded', 'payment.failed']);
  });

  it('validates options on registration and names the bad option', () => {
    const factory = definePlugin({
      id: 'opts',
      subscribes: { types: ['payment.succeeded'] },
      options: z.object({ intervalMs: z.number().int().positive(), channel: z.string().default('x') }),
      async handle() {},
    });
    expect(validatePluginOptions(factory({ intervalMs: 5 }))).toEqual({ intervalMs: 5, channel: 'x' });
    expect(() => validatePluginOptions(factory({ intervalMs: -1 }))).toThrow(
      /plugin opts: invalid options: intervalMs: /,
    );
  });

  it('refuses a malformed plugin early', () => {
    const handle = async () => {};
    expect(() => definePlugin({ id: 'Bad Id', subscribes: { types: ['payment.failed'] }, handle })).toThrow(
      PluginDefinitionError,
    );
    expect(() => definePlugin({ id: 'empty', subscribes: { types: [] }, handle })).toThrow(
      /at least one event type/,
    );
    expect(() =>
      definePlugin({
        id: 'batchy',
        subscribes: { types: ['payment.failed'] },
        handle,
        handleBatch: 'yes' as never,
      }),
    ).toThrow(/plugin batchy: handleBatch must be a function/);
  });

  it('types the events of handleBatch like those of handle', () => {
    const factory = definePlugin({
      id: 'batches',
      subscribes: { types: ['refund.succeeded'] },
      async handle() {},
      async handleBatch(events, { trx, afterCommit }) {
        for (const event of events) expectTypeOf(event.data.refundNo).toEqualTypeOf<string>();
        expectTypeOf(trx.transaction).toBeFunction();
        afterCommit(() => {});
      },
    });
    expect(typeof factory().spec.handleBatch).toBe('function');
  });
});

describe('subscriptionMatches', () => {
  const failed = (code: string) =>
    createEvent('payment.failed', data({ code, category: 'balance' }), { source: 's' }) as never;

  it('filters by type, then by upstream code exactly as written', () => {
    const sub = { types: ['payment.failed'] as const, codes: ['64', '80'] };
    expect(subscriptionMatches(sub, failed('64'))).toBe(true);
    expect(subscriptionMatches(sub, failed('064'))).toBe(false);
    expect(subscriptionMatches({ types: ['payment.failed'] }, failed('01'))).toBe(true);
    expect(subscriptionMatches({ types: ['refund.failed'] }, failed('64'))).toBe(false);
  });
});
