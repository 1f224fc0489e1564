// The EventBus contract, run unchanged against every transport (see *.contract.test.ts).
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { PaystreamEvent } from '@paystream/events';
import { METRIC_DEAD_LETTERS_TOTAL, METRIC_EVENTS_PUBLISHED_TOTAL } from '@paystream/telemetry';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DLQ_HEADERS, memoryProcessedIds } from '../src/index.js';
import { expectedSequences, GapChecker, makeEvents, runId, waitFor } from '../src/testing/index.js';
import type { Harness, OpenedBus } from './harness.js';

const fast = { retryBackoffMs: 10, maxAttempts: 3 };

async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  const values = (m?.values ?? []) as { value: number; labels: Record<string, string | number> }[];
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((a, v) => a + v.value, 0);
}

/** Registers the contract tests for one transport. */
export function eventBusContract(harness: Harness): void {
  describe(`EventBus contract: ${harness.name}`, () => {
    let opened: OpenedBus | undefined;
    const open = async (registry?: Registry) => {
      opened = await harness.open(registry);
      return opened;
    };
    afterEach(async () => {
      await opened?.cleanup();
      opened = undefined;
    });

    it('delivers every event once per group, in order per key, to independent groups', async () => {
      const registry = new Registry();
      const { bus } = await open(registry);
      const prefix = runId();
      const events = makeEvents({ prefix, keys: 12, perKey: 25 });
      const checkers = { a: new GapChecker(), b: new GapChecker() };
      for (const [group, checker] of Object.entries(checkers)) {
        await bus.subscribe(
          `g-${group}-${prefix}`,
          async (e) => {
            checker.record(e);
          },
          { concurrency: 4 },
        );
      }
      for (let i = 0; i < events.length; i += 50) await bus.publish(events.slice(i, i + 50));
      for (const checker of Object.values(checkers)) {
        await waitFor('all events', () => checker.unique === events.length);
        const report = checker.report(expectedSequences(prefix, 12, 25));
        expect(report.gaps).toEqual([]);
        expect(report.outOfOrder).toEqual([]);
        expect(report.unique).toBe(300);
      }
      expect(await metricValue(registry, METRIC_EVENTS_PUBLISHED_TOTAL, { type: 'payment.created' })).toBe(
        300,
      );
      expect(await bus.health()).toMatchObject({ ok: true });
    });

    it('redelivers after a handler failure, with the attempt number', async () => {
      const { bus } = await open();
      const events = makeEvents({ keys: 2, perKey: 5 });
      const target = events[3]!.id;
      const attempts: number[] = [];
      const checker = new GapChecker();
      await bus.subscribe(
        `g-${runId()}`,
        async (e, ctx) => {
          if (e.id === target) {
            attempts.push(ctx.attempt);
            if (ctx.attempt < 3) throw new Error('transient');
          }
          checker.record(e);
        },
        { ...fast, maxAttempts: 5 },
      );
      await bus.publish(events);
      await waitFor('all events', () => checker.unique === 10);
      expect(attempts).toEqual([1, 2, 3]);
      expect(checker.report({}).outOfOrder).toEqual([]);
    });

    it('dead-letters after maxAttempts with the reason and original headers, and keeps flowing', async () => {
      const registry = new Registry();
      const { bus, deadLetters } = await open(registry);
      const prefix = runId();
      const events = makeEvents({
        prefix,
        keys: 1,
        perKey: 6,
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      });
      const poison = events[2]!;
      const group = `g-${prefix}`;
      const seen: number[] = [];
      let poisonCalls = 0;
      await bus.subscribe(
        group,
        async (e) => {
          if (e.id === poison.id) {
            poisonCalls++;
            throw new Error(`cannot book ${e.id}`);
          }
          seen.push(e.data.sequence);
        },
        fast,
      );
      await bus.publish(events);
      const [dead] = await deadLetters(group, 1);
      await waitFor('the stream behind the poison', () => seen.length === 5);
      expect(seen).toEqual([1, 2, 4, 5, 6]);
      expect(poisonCalls).toBe(3);
      expect(dead!.key).toBe(poison.subject);
      expect(JSON.parse(dead!.value!)).toEqual(poison.data);
      expect(dead!.headers).toMatchObject({
        ce_id: poison.id,
        ce_type: poison.type,
        traceparent: poison.traceparent,
        [DLQ_HEADERS.reason]: 'handler',
        [DLQ_HEADERS.attempts]: '3',
        [DLQ_HEADERS.group]: group,
      });
      expect(dead!.headers[DLQ_HEADERS.error]).toContain(`cannot book ${poison.id}`);
      expect(await metricValue(registry, METRIC_DEAD_LETTERS_TOTAL, { group, reason: 'handler' })).toBe(1);
    });

    it('dead-letters a malformed record without calling the handler', async () => {
      const { bus, injectRaw, deadLetters } = await open();
      const prefix = runId();
      const [first, second] = makeEvents({ prefix, keys: 1, perKey: 2 });
      const group = `g-${prefix}`;
      const seen: string[] = [];
      await bus.subscribe(
        group,
        async (e) => {
          seen.push(e.id);
        },
        fast,
      );
      await bus.publish([first!]);
      const garbage = {
        key: first!.subject,
        value: '{"not":"an event"',
        headers: {
          ce_type: 'payment.created',
          traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        },
      };
      await injectRaw([garbage]);
      await bus.publish([second!]);
      const [dead] = await deadLetters(group, 1);
      await waitFor('both valid events', () => seen.length === 2);
      expect(seen).toEqual([first!.id, second!.id]);
      expect(dead).toMatchObject({ key: garbage.key, value: garbage.value });
      expect(dead!.headers).toMatchObject({ ...garbage.headers, [DLQ_HEADERS.reason]: 'malformed' });
    });

    it('dedupes by event id when the group has a processed-ids store', async () => {
      const { bus } = await open();
      const events = makeEvents({ keys: 3, perKey: 4 });
      const store = memoryProcessedIds();
      const group = `g-${runId()}`;
      const handled: string[] = [];
      const raw: string[] = [];
      await bus.subscribe(
        group,
        async (e) => {
          handled.push(e.id);
        },
        { dedupe: store },
      );
      await bus.subscribe(`${group}-raw`, async (e) => {
        raw.push(e.id);
      });
      await bus.publish(events);
      await bus.publish(events.slice(0, 5)); // a producer retry re-sends the same ids
      await waitFor('raw deliveries', () => raw.length === 17);
      await waitFor('deduped deliveries', () => store.size(group) === 12);
      expect(new Set(handled).size).toBe(12);
      expect(handled.length).toBe(12);
    });

    it('resumes a group from its committed position after close, finishing the handler in flight', async () => {
      const o = await open();
      const prefix = runId();
      const events = makeEvents({ prefix, keys: 1, perKey: 10 });
      const group = `g-${prefix}`;
      const first = new GapChecker();
      let release: () => void = () => {};
      const gate = new Promise<void>((r) => {
        release = r;
      });
      let inFlight: PaystreamEvent | undefined;
      const sub = await o.bus.subscribe(group, async (e) => {
        if (e.data.sequence === 4) {
          inFlight = e;
          await gate;
        }
        first.record(e);
      });
      await o.bus.publish(events.slice(0, 6));
      await waitFor('the handler of sequence 4 to start', () => inFlight);
      const closing = sub.close();
      release();
      await closing;
      // The in-flight handler finished (and was committed); what was not started is left for later.
      expect(first.unique).toBeGreaterThanOrEqual(4);
      await o.bus.publish(events.slice(6));
      const reopened = await o.reopen();
      const second = new GapChecker();
      await reopened.subscribe(group, async (e) => {
        second.record(e);
      });
      await waitFor('the rest', () => second.unique === 6, { timeoutMs: 20_000 }).catch((err) => {
        throw new Error(
          `${err} (first ${JSON.stringify(first.report({}))}, second ${JSON.stringify(second.report({}))})`,
        );
      });
      // Sequence 4 was in flight at close: it finished and was committed, so nothing repeats.
      expect(first.report(expectedSequences(prefix, 1, 4)).gaps).toEqual([]);
      expect(second.report({}).outOfOrder).toEqual([{ key: `${prefix}-0`, expected: 1, got: 5 }]);
      expect(first.unique + second.unique).toBe(10);
      expect(first.duplicates + second.duplicates).toBe(0);
    });

    it('starts a new group at the newest event unless it asks for history', async () => {
      const { bus } = await open();
      const prefix = runId();
      const events = makeEvents({ prefix, keys: 1, perKey: 5 });
      await bus.publish(events.slice(0, 3));
      const fresh: number[] = [];
      const history: number[] = [];
      await bus.subscribe(`g-new-${prefix}`, async (e) => void fresh.push(e.data.sequence));
      await bus.subscribe(`g-all-${prefix}`, async (e) => void history.push(e.data.sequence), {
        fromBeginning: true,
      });
      await bus.publish(events.slice(3));
      await waitFor('history', () => history.length === 5);
      await waitFor('the new events', () => fresh.length === 2);
      expect(fresh).toEqual([4, 5]);
      expect(history).toEqual([1, 2, 3, 4, 5]);
    });

    it("lists a group's dead letters and redrives them once the fault is fixed", async () => {
      const { bus } = await open();
      const prefix = runId();
      const events = makeEvents({ prefix, keys: 2, perKey: 3 });
      const poison = new Set([events[1]!.id, events[4]!.id]);
      const group = `g-${prefix}`;
      let fixed = false;
      const booked: string[] = [];
      const handler = async (e: PaystreamEvent) => {
        if (poison.has(e.id) && !fixed) throw new Error(`bug on ${e.id}`);
        booked.push(e.id);
      };
      await bus.subscribe(group, handler, fast);
      await bus.publish(events);
      await waitFor('the healthy events', () => booked.length === 4);
      const dead = await waitFor('two dead letters', async () => {
        const list = await bus.deadLetters(group);
        return list.length === 2 ? list : undefined;
      });
      expect(dead.map((d) => d.eventId).sort()).toEqual([...poison].sort());
      expect(dead[0]).toMatchObject({ reason: 'handler', attempts: 3, type: 'payment.created' });
      expect(dead[0]!.error).toContain('bug on');
      expect(await bus.deadLetterCount(group)).toBe(2);
      await waitFor('no lag', async () => (await bus.lag(group)) === 0);

      fixed = true;
      expect(await bus.redrive(group, handler, fast)).toEqual({ attempted: 2, redriven: 2, failed: 0 });
      expect(booked.filter((id) => poison.has(id)).sort()).toEqual([...poison].sort());
      expect(await bus.deadLetters(group)).toEqual([]);
      expect(await bus.deadLetterCount(group)).toBe(0);
      expect(await bus.redrive(group, handler, fast)).toEqual({ attempted: 0, redriven: 0, failed: 0 });
    });

    it('replays every event to a group after its offsets are reset', async () => {
      const o = await open();
      const prefix = runId();
      const events = makeEvents({ prefix, keys: 2, perKey: 2 });
      const group = `g-${prefix}`;
      const seen: string[] = [];
      const sub = await o.bus.subscribe(group, async (e) => void seen.push(e.id));
      await o.bus.publish(events);
      await waitFor('first delivery', () => seen.length === 4);
      await sub.close();
      expect(await o.bus.lag(group)).toBe(0);
      await o.bus.resetOffsets(group);
      expect(await o.bus.lag(group)).toBe(4);
      const again = await o.reopen();
      await again.subscribe(group, async (e) => void seen.push(e.id));
      await waitFor('the replay', () => seen.length === 8);
      expect(seen.slice(4).sort()).toEqual(seen.slice(0, 4).sort());
    });

    describe('tracing', () => {
      const exporter = new InMemorySpanExporter();
      beforeAll(() => {
        context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
        propagation.setGlobalPropagator(new W3CTraceContextPropagator());
        trace.setGlobalTracerProvider(
          new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
        );
      });
      afterAll(() => {
        trace.disable();
        propagation.disable();
        context.disable();
      });

      it('continues the request trace into each handler through the traceparent header', async () => {
        const { bus, topic } = await open();
        const tracer = trace.getTracer('test');
        const prefix = runId();
        // createEvent fills traceparent from the active span (the gateway's HTTP request) ...
        const { events, requestSpan } = tracer.startActiveSpan('POST /v1/payments', (span) => {
          const evs = makeEvents({ prefix, keys: 1, perKey: 2 });
          span.end();
          return { events: evs, requestSpan: span.spanContext() };
        });
        expect(events[0]!.traceparent).toBe(`00-${requestSpan.traceId}-${requestSpan.spanId}-01`);
        const inHandler: string[] = [];
        await bus.subscribe(`g-${prefix}`, async () => {
          inHandler.push(trace.getActiveSpan()?.spanContext().traceId ?? 'none');
        });
        // ... and the publish happens later, outside it (as the outbox relay does).
        await bus.publish(events);
        await waitFor('both events', () => inHandler.length === 2);
        expect(inHandler).toEqual([requestSpan.traceId, requestSpan.traceId]);
        const process = await waitFor('the process span', () =>
          exporter
            .getFinishedSpans()
            .find((s) => s.name === `process ${topic}` && s.spanContext().traceId === requestSpan.traceId),
        );
        expect(process.parentSpanContext?.spanId).toBe(requestSpan.spanId);
        const publish = exporter.getFinishedSpans().find((s) => s.name === `publish ${topic}`);
        expect(publish?.spanContext().traceId).toBe(requestSpan.traceId);
      });
    });
  });
}
