// One entry, one POST, retried until the ERP answers: 2xx is done; 5xx, 408, 429, a timeout or a
// network error waits the next step of the schedule and tries again with the same webhook-id;
// any other 4xx is permanent (thrown with the ERP's answer, so the entry reaches the plugin's DLQ).
import type { LedgerEntryPostedEvent, PluginHttpClient, PluginLogger } from '@paystream/plugin-sdk';
import type { Webhook } from 'standardwebhooks';
import { entryBody } from './body.js';

/** The ERP refused the entry for good (4xx): the answer is kept in the dead letter. */
export class ErpRejectedError extends Error {
  override readonly name = 'ErpRejectedError';
}

/** Delay before retry `n` (1-based): the schedule's n-th step, its last step repeating. */
export function retryDelay(schedule: readonly number[], n: number): number {
  return schedule[Math.min(n, schedule.length) - 1] ?? 0;
}

const transient = (status: number) => status >= 500 || status === 408 || status === 429;

/** What {@link deliverEntry} needs. */
export interface DeliverOptions {
  url: string;
  signer: Webhook;
  http: PluginHttpClient;
  timeoutMs: number;
  schedule: readonly number[];
  logger: PluginLogger;
  signal: AbortSignal;
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('shutting down: the entry is delivered after restart'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('shutting down: the entry is delivered after restart'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** POSTs the entry until the ERP accepts it; returns the number of attempts. */
export async function deliverEntry(event: LedgerEntryPostedEvent, o: DeliverOptions): Promise<number> {
  // The entry id is the message id: the same on every retry and every redelivery.
  const id = `entry_${event.data.entryId}`;
  for (let attempt = 1; ; attempt++) {
    const now = new Date();
    const body = JSON.stringify(entryBody(event, now));
    let problem: string;
    try {
      const res = await o.http.fetch(o.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': o.signer.sign(id, now, body),
        },
        body,
        signal: AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs)]),
      });
      const answer = (await res.text().catch(() => '')).slice(0, 1000);
      if (res.ok) return attempt;
      if (!transient(res.status))
        throw new ErpRejectedError(`ERP answered ${res.status} to entry ${event.data.entryId}: ${answer}`);
      problem = `ERP answered ${res.status}`;
    } catch (err) {
      if (err instanceof ErpRejectedError) throw err;
      if (o.signal.aborted) throw new Error('shutting down: the entry is delivered after restart');
      problem =
        err instanceof Error && err.name === 'TimeoutError'
          ? 'timed out'
          : `unreachable: ${(err as Error).message}`;
    }
    const delay = retryDelay(o.schedule, attempt);
    o.logger.warn(
      { entryId: event.data.entryId, attempt, retryInMs: delay, problem },
      'ERP webhook failed; retrying',
    );
    await wait(delay, o.signal);
  }
}
