// kafkajs retries a call only for the errors its code for that call expects. A broker that died
// stays in the cluster's metadata until the controller fences it (broker.session.timeout.ms, 9 s by
// default), and in that window an admin call routed to it (createTopics to a controller that is
// gone, ListOffsets to a leader that is gone) fails at once with a retriable connection error. A
// process starting right after a broker's death died of that. The admin calls the bus makes go
// through here and are tried again, with fresh metadata, until the cluster has moved on.
import type { BusLogger } from '../types.js';

export interface RetryingOptions {
  /** How long to keep trying from the first failure. Default 30 s: a fence, a leader election and margin. */
  deadlineMs?: number;
  /** Where each failed attempt is reported (at info: it is expected during a failover). */
  logger?: BusLogger;
  /** What is being tried, for that line. */
  what?: string;
}

const isRetriable = (err: unknown) => (err as { retriable?: boolean } | null)?.retriable === true;

/** Runs `attempt` until it succeeds, it fails with a non-retriable error, or the deadline passes. */
export async function retrying<T>(attempt: () => Promise<T>, opts: RetryingOptions = {}): Promise<T> {
  const deadline = Date.now() + (opts.deadlineMs ?? 30_000);
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      const delay = Math.min(100 * 2 ** (i - 1), 2000);
      if (!isRetriable(err) || Date.now() + delay > deadline) throw err;
      opts.logger?.info(
        { attempt: i, err: (err as Error).message },
        `${opts.what ?? 'kafka call'} failed; trying again`,
      );
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
