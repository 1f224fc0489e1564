import { expect, it } from 'vitest';
import { OrderLock } from './order-lock.js';

it('runs work on one order in sequence, other orders alongside, and survives failures', async () => {
  const lock = new OrderLock();
  const log: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const a1 = lock.run('a', async () => {
    await gate;
    log.push('a1');
    throw new Error('a1 failed');
  });
  const a2 = lock.run('a', async () => {
    log.push('a2');
    return 2;
  });
  const b = lock.run('b', async () => {
    log.push('b');
  });
  await b;
  expect(log).toEqual(['b']);
  release();
  await expect(a1).rejects.toThrow('a1 failed');
  expect(await a2).toBe(2);
  expect(log).toEqual(['b', 'a1', 'a2']);
});
