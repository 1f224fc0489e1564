// The ERP webhook connector: each journal entry the ledger posted (`ledger.entry.posted` on
// `ledger.entries.v1`) is POSTed to ERP_WEBHOOK_URL, signed per Standard Webhooks with
// ERP_WEBHOOK_SECRET. Entries of one order arrive in order; a transient failure holds this
// plugin's stream (no other plugin's) until the ERP is back, a permanent one dead-letters the entry.
import { coreServices, definePlugin } from '@paystream/plugin-sdk';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import { deliverEntry } from './deliver.js';

/** Seconds between attempts while the ERP answers 5xx or times out; the last step repeats. */
export const DEFAULT_RETRY_SCHEDULE_MS = [1_000, 5_000, 15_000, 30_000, 60_000, 300_000] as const;

const secret = z.string().regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'must be whsec_ followed by base64');

export const erpWebhookOptions = z.strictObject({
  /** Default ERP_WEBHOOK_URL. */
  url: z.url().optional(),
  /** Default ERP_WEBHOOK_SECRET. */
  secret: secret.optional(),
  /** Per attempt. */
  timeoutMs: z.number().int().min(100).default(10_000),
  /** Delays between attempts on 5xx/408/429/timeouts; the last one repeats until the ERP answers. */
  retryScheduleMs: z
    .array(z.number().int().min(0))
    .min(1)
    .default([...DEFAULT_RETRY_SCHEDULE_MS]),
});

export const createErpWebhookPlugin = definePlugin({
  id: 'erp-webhook',
  description: 'POSTs each ledger entry to the ERP, signed per Standard Webhooks',
  subscribes: { types: ['ledger.entry.posted'] },
  options: erpWebhookOptions,
  // Transient failures are retried inside handle; what it throws is permanent (a 4xx answer) and
  // gets one more try with the same webhook-id before the plugin's dead-letter topic.
  delivery: { maxAttempts: 2 },
  deps: { config: coreServices.config, http: coreServices.httpClient, logger: coreServices.logger },
  setup({ config, http }, options) {
    const url = options.url ?? config.get('ERP_WEBHOOK_URL');
    const key = options.secret ?? config.get('ERP_WEBHOOK_SECRET');
    if (!url) throw new Error('url: set ERP_WEBHOOK_URL (or the url option) to the ERP endpoint');
    const checked = secret.safeParse(key);
    // The message names the variable, never its value.
    if (!checked.success) throw new Error('secret: ERP_WEBHOOK_SECRET must be whsec_ followed by base64');
    return { url, signer: new Webhook(checked.data), http, options };
  },
  async handle(event, { state, logger, signal }) {
    const attempts = await deliverEntry(event, {
      url: state.url,
      signer: state.signer,
      http: state.http,
      timeoutMs: state.options.timeoutMs,
      schedule: state.options.retryScheduleMs,
      logger,
      signal,
    });
    logger.debug({ entryId: event.data.entryId, attempts }, 'entry delivered to the ERP');
  },
});

export default createErpWebhookPlugin;
