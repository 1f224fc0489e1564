import { EventEmitter } from 'node:events';
import type { Consumer } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { superviseConsumer } from './supervise.js';

const events = { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' } as const;

/** A kafkajs consumer's surface the supervisor uses: its events and disconnect. */
function fakeConsumer(id: number) {
  const emitter = new EventEmitter();
  const c = {
    id,
    events,
    disconnected: false,
    on: (e: string, fn: (ev: unknown) => void) => emitter.on(e, fn),
    disconnect: async () => {
      c.disconnected = true;
    },
    crash: (restart: boolean, message = 'Failed to find group coordinator') =>
      emitter.emit(events.CRASH, { payload: { error: new Error(message), restart } }),
    join: () => emitter.emit(events.GROUP_JOIN, {}),
  };
  return c;
}
type Fake = ReturnType<typeof fakeConsumer>;
const silent = { debug() {}, info() {}, warn() {}, error() {} } as never;

async function supervised(runs: ((c: Fake) => Promise<void>)[] = []) {
  const made: Fake[] = [];
  const states: (string | undefined)[] = [];
  const restarts: number[] = [];
  const sup = await superviseConsumer({
    group: 'g',
    logger: silent,
    onRestart: () => restarts.push(made.length),
    create: () => {
      const c = fakeConsumer(made.length);
      made.push(c);
      return c as unknown as Consumer;
    },
    run: (c) => (runs[made.length - 1] ?? (async () => undefined))(c as unknown as Fake),
    onState: (d) => states.push(d),
    restartDelayMs: (attempt) => attempt * 100,
  });
  return { sup, made, states, restarts };
}

describe('superviseConsumer', () => {
  it('starts a new consumer after a crash kafkajs does not restart, and reports the group down until it joins', async () => {
    vi.useFakeTimers();
    try {
      const { sup, made, states, restarts } = await supervised();
      made[0]!.crash(false);
      expect(states.at(-1)).toMatch(
        /^g: Failed to find group coordinator \(starting a new consumer in 100 ms\)$/,
      );
      await vi.advanceTimersByTimeAsync(100);
      expect(made).toHaveLength(2);
      expect(made[0]!.disconnected).toBe(true);
      expect(sup.current()).toBe(made[1]);
      expect(restarts).toEqual([2]);
      made[1]!.join();
      expect(states.at(-1)).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('leaves a crash kafkajs restarts itself to kafkajs', async () => {
    vi.useFakeTimers();
    try {
      const { made, states } = await supervised();
      made[0]!.crash(true, 'The coordinator is loading');
      await vi.advanceTimersByTimeAsync(60_000);
      expect(made).toHaveLength(1);
      expect(states).toEqual([undefined]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('backs off while the new consumer cannot start, and stops restarting once stopped', async () => {
    vi.useFakeTimers();
    try {
      const down = async () => {
        throw new Error('Connection error: connect ECONNREFUSED');
      };
      const { sup, made, states } = await supervised([async () => undefined, down, down]);
      made[0]!.crash(false);
      await vi.advanceTimersByTimeAsync(100);
      expect(made).toHaveLength(2);
      expect(states.at(-1)).toMatch(/ECONNREFUSED \(starting a new consumer in 200 ms\)$/);
      await vi.advanceTimersByTimeAsync(200);
      expect(made).toHaveLength(3);
      expect(states.at(-1)).toMatch(/in 300 ms\)$/);
      await sup.stop();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(made).toHaveLength(3);
      expect(made[2]!.disconnected).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails the subscription when the first consumer cannot start', async () => {
    await expect(
      superviseConsumer({
        group: 'g',
        logger: silent,
        create: () => fakeConsumer(0) as unknown as Consumer,
        run: async () => {
          throw new Error('no broker');
        },
        onState: () => undefined,
      }),
    ).rejects.toThrow('no broker');
  });
});
