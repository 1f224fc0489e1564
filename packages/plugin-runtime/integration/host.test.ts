import { createPluginHost } from '@paystream/plugin-runtime';
import { coreServices, definePlugin, type PaystreamPlugin, PluginHttpError } from '@paystream/plugin-sdk';
import { makeEvents, runId, startTestHost, type TestHost, waitFor } from '@paystream/plugin-testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

/** A plugin that remembers what it saw, and can be told to fail. */
function recorder(id: string, opts: { types?: string[]; codes?: string[]; fail?: () => boolean } = {}) {
  const seen: string[] = [];
  const factory = definePlugin({
    id,
    subscribes: {
      types: (opts.types ?? ['payment.created', 'refund.succeeded', 'payment.failed']) as ['payment.created'],
      ...(opts.codes ? { codes: opts.codes } : {}),
    },
    deps: { router: coreServices.httpRouter },
    setup({ router }) {
      router.router.get('/seen', router.requireScope('ledger:read'), (_req, res) => {
        res.json({ seen });
      });
      router.router.get('/boom', () => {
        throw new PluginHttpError(409, 'Conflict', 'nope');
      });
    },
    async handle(event, { logger }) {
      logger.debug({}, 'handling');
      if (opts.fail?.()) throw new Error(`${id} cannot handle ${event.id}`);
      seen.push(event.id);
    },
  });
  return { plugin: factory(), seen };
}

let t: TestHost | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('plugin host', () => {
  it('delivers by type and code, each plugin in its own group, once per event id', async () => {
    const all = recorder('all');
    const onlyCode = recorder('balance', { types: ['payment.failed'], codes: ['64'] });
    t = await startTestHost({ plugins: [all.plugin, onlyCode.plugin] });
    const prefix = runId();
    const created = makeEvents({ prefix, keys: 2 });
    const failed64 = makeEvents({ prefix: `${prefix}f`, type: 'payment.failed' });
    const failed01 = makeEvents({ prefix: `${prefix}g`, type: 'payment.failed', data: { code: '01' } });
    await t.publish([...created, ...failed64, ...failed01]);
    await t.publish(created); // redelivered ids
    expect(all.seen.sort()).toEqual([...created, ...failed64, ...failed01].map((e) => e.id).sort());
    expect(onlyCode.seen).toEqual([failed64[0]!.id]);
    const status = await t.host.status();
    expect(status.map((s) => s.group).sort()).toEqual(['paystream.plugin.all', 'paystream.plugin.balance']);
  });

  it("sends a failing plugin's events to its own dead letters while the others keep pace, and redrives them", async () => {
    let broken = true;
    const healthy = recorder('ledgerish');
    const flaky = recorder('flaky', { fail: () => broken });
    t = await startTestHost({ plugins: [healthy.plugin, flaky.plugin] });
    const events = makeEvents({ keys: 3, perKey: 2 });
    await t.publish(events);
    expect(healthy.seen).toHaveLength(6);
    expect(flaky.seen).toHaveLength(0);
    const dead = await t.deadLetters('flaky');
    expect(dead).toHaveLength(6);
    expect(dead[0]).toMatchObject({ reason: 'handler', attempts: 5 });
    expect(await t.deadLetters('ledgerish')).toEqual([]);
    const before = (await t.host.status()).find((s) => s.id === 'flaky')!;
    expect(before).toMatchObject({ deadLetters: 6, lag: 0 });
    expect(before.lastError?.message).toMatch(/flaky cannot handle/);
    const metrics = await t.registry.metrics();
    expect(metrics).toMatch(/paystream_plugin_dead_letters\{plugin="flaky"\} 6/);
    expect(metrics).toMatch(/paystream_plugin_consumer_lag\{plugin="ledgerish"\} 0/);

    broken = false;
    const redriven = await t.request('POST', '/admin/plugins/flaky/dead-letters/redrive');
    expect(redriven).toMatchObject({ status: 200, body: { attempted: 6, redriven: 6, failed: 0 } });
    expect(flaky.seen.sort()).toEqual(events.map((e) => e.id).sort());
    expect((await t.request('GET', '/admin/plugins/flaky/dead-letters')).body).toEqual({ deadLetters: [] });
  });

  it("serves plugin routes with the gateway's keys and scopes, errors as problems", async () => {
    const p = recorder('routes');
    t = await startTestHost({ plugins: [p.plugin] });
    expect((await t.request('GET', '/plugins/routes/seen', { apiKey: null })).status).toBe(401);
    const forbidden = await t.request('GET', '/plugins/routes/seen', {
      apiKey: t.apiKeyWith('payments:read'),
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('content-type')).toContain('application/problem+json');
    expect(
      await t.request('GET', '/plugins/routes/seen', { apiKey: t.apiKeyWith('ledger:read') }),
    ).toMatchObject({
      status: 200,
      body: { seen: [] },
    });
    expect(await t.request('GET', '/plugins/routes/boom')).toMatchObject({
      status: 409,
      body: { title: 'Conflict', detail: 'nope' },
    });
    expect((await t.request('GET', '/admin/plugins', { apiKey: t.apiKeyWith('ledger:read') })).status).toBe(
      403,
    );
    expect((await t.request('GET', '/admin/plugins/nope/dead-letters')).status).toBe(404);
    const ready = await t.request('GET', '/readyz', { apiKey: null });
    expect(ready).toMatchObject({
      status: 200,
      body: { status: 'ready', plugins: [{ id: 'routes', ok: true }] },
    });
  });

  it('answers like the gateway: typed problems with errors[], no-store, checked queries, every request counted', async () => {
    const p = recorder('answers');
    t = await startTestHost({ plugins: [p.plugin] });
    const boom = await t.request('GET', '/plugins/answers/boom?api_key=never-echoed');
    expect(boom.body).toEqual({
      type: 'https://paystream.dev/problems/conflict',
      title: 'Conflict',
      status: 409,
      detail: 'nope',
      instance: '/plugins/answers/boom',
    });
    const seen = await t.request('GET', '/plugins/answers/seen');
    expect(seen.headers.get('cache-control')).toBe('no-store');
    const letters = await t.request('GET', '/admin/plugins/answers/dead-letters');
    expect(letters).toMatchObject({ status: 200, body: { deadLetters: [] } });
    expect(letters.headers.get('cache-control')).toBe('no-store');
    for (const limit of ['-1', 'abc', '0', '1001', '2.5']) {
      const bad = await t.request('GET', `/admin/plugins/answers/dead-letters?limit=${limit}`);
      expect(bad.status, limit).toBe(400);
      expect(bad.body, limit).toMatchObject({
        type: 'https://paystream.dev/problems/validation',
        errors: [{ field: 'limit', message: 'must be a whole number from 1 to 1000' }],
      });
    }
    const metrics = await t.registry.metrics();
    expect(metrics).toContain(
      'paystream_http_requests_total{route="/plugins/answers/seen",method="GET",status="200"} 1',
    );
    expect(metrics).toContain(
      'paystream_http_requests_total{route="/admin/plugins/:id/dead-letters",method="GET",status="400"} 5',
    );
    expect(metrics).toContain(
      'paystream_http_requests_total{route="/plugins/answers/*",method="GET",status="409"} 1',
    );
  });

  it('reports per-order sequence gaps without holding the events back', async () => {
    const p = recorder('gaps');
    t = await startTestHost({ plugins: [p.plugin] });
    const prefix = runId();
    const events = makeEvents({ prefix, perKey: 4 });
    await t.publish([events[0]!, events[3]!]);
    expect(p.seen).toEqual([events[0]!.id, events[3]!.id]);
    expect((await t.host.status())[0]!.sequenceGaps).toBe(1);
  });

  it('starts a new plugin at the newest event unless it asks for history', async () => {
    const first = recorder('early');
    t = await startTestHost({ plugins: [first.plugin] });
    await t.publish(makeEvents({ perKey: 2 }));
    const late = recorder('late');
    const history = definePlugin({
      id: 'history',
      subscribes: { types: ['payment.created'] },
      delivery: { fromBeginning: true },
      async handle(e) {
        late.seen.push(e.id);
      },
    });
    const host = createPluginHost({
      plugins: [late.plugin, history()],
      bus: t.bus,
      database: t.database,
      registry: t.registry,
      apiKeys: [],
    });
    await host.start();
    try {
      await waitFor('the history plugin', () => late.seen.length === 2);
      const [more] = makeEvents();
      await t.bus.publish([more!]);
      await waitFor('both plugins', () => late.seen.filter((id) => id === more!.id).length === 2);
      expect(late.seen).toHaveLength(4);
    } finally {
      await host.close();
    }
  });
});

describe('registration', () => {
  const p = (id: string) =>
    definePlugin({
      id,
      subscribes: { types: ['payment.created'] },
      options: z.object({ threshold: z.number().int().positive() }),
      async handle() {},
    });

  it('refuses a plugin registered twice, or with bad options, naming it', async () => {
    t = await startTestHost({ plugins: [] });
    const base = { bus: t.bus, database: t.database, registry: t.registry, apiKeys: [] };
    expect(() =>
      createPluginHost({ ...base, plugins: [p('a')({ threshold: 1 }), p('a')({ threshold: 2 })] }),
    ).toThrow('plugin a is registered twice');
    expect(() => createPluginHost({ ...base, plugins: [p('b')({ threshold: -1 } as never)] })).toThrow(
      /plugin b: invalid options: threshold: /,
    );
    expect(() => createPluginHost({ ...base, plugins: [{} as PaystreamPlugin] })).toThrow(/not a plugin/);
  });
});
