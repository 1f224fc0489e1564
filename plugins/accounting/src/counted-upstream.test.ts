// Each answer of the host's order query is labelled as the gateway labels its calls, and counted
// once; an answer that made no call (no upstream configured) is not counted.
import type { UpstreamOrderView, UpstreamQuery } from '@paystream/plugin-sdk';
import type { UpstreamObservation } from '@paystream/telemetry';
import { expect, it } from 'vitest';
import { callLabels, countedQuery } from './counted-upstream.js';

const found: UpstreamOrderView = {
  outcome: 'found',
  outTradeNo: 'O1',
  status: 'paid',
  amountMinor: 1000 as never,
  refundedMinor: 0 as never,
  currency: 'HKD',
};
const unavailable = (reason: string): UpstreamOrderView => ({
  outcome: 'unavailable',
  outTradeNo: 'O1',
  reason,
});

it('labels an answer with its code and catalog category', () => {
  expect(callLabels(found)).toEqual({ code: '00', category: 'success' });
  expect(callLabels({ outcome: 'not_found', outTradeNo: 'O1', code: '31' })).toEqual({
    code: '31',
    category: 'not_found',
  });
  expect(callLabels(unavailable('upstream code -1'))).toEqual({ code: '-1', category: 'system' });
  expect(callLabels(unavailable('upstream code 64'))).toEqual({ code: '64', category: 'balance' });
  expect(callLabels(unavailable('timeout: aborted after 10000 ms'))).toEqual({
    code: 'none',
    category: 'timeout',
  });
  expect(callLabels(unavailable('bad_response: not JSON'))).toEqual({
    code: 'none',
    category: 'bad_response',
  });
  expect(callLabels(unavailable('network: ECONNREFUSED'))).toEqual({ code: 'none', category: 'network' });
  expect(callLabels(unavailable('no upstream configured for this host'))).toBeNull();
});

it('counts every call once, with the wallet when told, and a call that throws as code none', async () => {
  const seen: UpstreamObservation[] = [];
  const spans: { name: string; attributes: Record<string, unknown>; ended: boolean }[] = [];
  const tracer = {
    startActiveSpan(
      name: string,
      opts: { attributes?: Record<string, unknown> },
      fn: (s: unknown) => unknown,
    ) {
      const span = { name, attributes: { ...opts.attributes }, ended: false };
      spans.push(span);
      return fn({
        setAttributes: (a: Record<string, unknown>) => Object.assign(span.attributes, a),
        setAttribute: (k: string, v: unknown) => {
          span.attributes[k] = v;
        },
        setStatus: () => {},
        end: () => {
          span.ended = true;
        },
      });
    },
  };
  const answers: (UpstreamOrderView | Error)[] = [
    found,
    unavailable('no upstream configured for this host'),
    new Error('socket hang up'),
  ];
  const query: UpstreamQuery = {
    async queryOrder() {
      const next = answers.shift()!;
      if (next instanceof Error) throw next;
      return next;
    },
  };
  const counted = countedQuery(query, { observe: (o) => seen.push(o) }, tracer as never);
  expect(await counted.queryOrder('O1', undefined, 'WECHATHK')).toEqual(found);
  expect((await counted.queryOrder('O2')).outcome).toBe('unavailable');
  await expect(counted.queryOrder('O3')).rejects.toThrow('socket hang up');
  expect(seen.map(({ seconds, ...o }) => ({ ...o, timed: seconds >= 0 }))).toEqual([
    { operation: 'query', code: '00', category: 'success', wallet: 'WECHATHK', timed: true },
    { operation: 'query', code: 'none', category: 'network', wallet: undefined, timed: true },
  ]);
  expect(spans.map((s) => [s.name, s.attributes['paystream.out_trade_no'], s.ended])).toEqual([
    ['upstream query', 'O1', true],
    ['upstream query', 'O2', true],
    ['upstream query', 'O3', true],
  ]);
  expect(spans[0]!.attributes).toMatchObject({
    'paystream.upstream.code': '00',
    'paystream.upstream.category': 'success',
    'paystream.wallet': 'WECHATHK',
  });
});
