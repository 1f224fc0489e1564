/**
 * Runs work for one order at a time within this process. Two requests on the same order (a
 * double-clicked create, two refunds racing) would otherwise both call the aggregator and then
 * overwrite each other's record; in sequence, the second sees what the first recorded.
 */
export class OrderLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Whether work on this order is running or queued in this process. */
  busy(outTradeNo: string): boolean {
    return this.tails.has(outTradeNo);
  }

  async run<T>(outTradeNo: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(outTradeNo) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(work);
    this.tails.set(outTradeNo, current);
    try {
      return await current;
    } finally {
      // Only the last waiter cleans up, so the map does not grow with every order ever seen.
      if (this.tails.get(outTradeNo) === current) this.tails.delete(outTradeNo);
    }
  }
}
