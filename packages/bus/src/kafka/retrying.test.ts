import { describe, expect, it } from 'vitest';
import { retrying } from './retrying.js';

const retriable = (message: string) => Object.assign(new Error(message), { retriable: true });

describe('retrying', () => {
  it('tries a retriable failure again until the call succeeds', async () => {
    let calls = 0;
    const result = await retrying(async () => {
      calls++;
      if (calls < 3) throw retriable('Connection error: connect ECONNREFUSED 127.0.0.1:29092');
      return 'created';
    });
    expect(result).toBe('created');
    expect(calls).toBe(3);
  });

  it('gives up at once on an error that is not retriable', async () => {
    let calls = 0;
    await expect(
      retrying(async () => {
        calls++;
        throw new Error('Topic with this name already exists');
      }),
    ).rejects.toThrow('already exists');
    expect(calls).toBe(1);
  });

  it('gives up with the last error once the deadline has passed', async () => {
    let calls = 0;
    await expect(
      retrying(
        async () => {
          calls++;
          throw retriable(`attempt ${calls}`);
        },
        { deadlineMs: 350 },
      ),
    ).rejects.toThrow(/attempt [2-4]/);
    expect(calls).toBeGreaterThan(1);
  });
});
