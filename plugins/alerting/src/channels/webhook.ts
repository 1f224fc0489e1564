// A generic webhook in the Standard Webhooks format (https://www.standardwebhooks.com): one POST
// per alert change, signed with `webhook-id`, `webhook-timestamp` and `webhook-signature`. The id
// names the alert and its version, so a retry carries the same id and the receiver can dedupe.
// `format: 'slack'` sends a Slack-compatible body (`text` + `blocks`) instead of the event JSON.
import type { PluginHttpClient } from '@paystream/plugin-sdk';
import { Webhook } from 'standardwebhooks';
import type { AlertChannel, AlertNotice } from './types.js';

/** Options of {@link webhookChannel}. */
export interface WebhookChannelOptions {
  url: string;
  /** `whsec_…` (base64 after the prefix); when unset the POST is not signed (e.g. Slack). */
  secret?: string;
  format: 'standard' | 'slack';
  http: PluginHttpClient;
  timeoutMs: number;
}

/** The Standard Webhooks event body of an alert change. */
export function standardBody(n: AlertNotice, now: number) {
  return {
    type: n.status === 'firing' ? 'alert.firing' : 'alert.resolved',
    timestamp: new Date(now).toISOString(),
    data: {
      fingerprint: n.fingerprint,
      alertname: n.labels.alertname,
      status: n.status,
      labels: n.labels,
      annotations: n.annotations,
      startsAt: new Date(n.startsAt).toISOString(),
      endsAt: n.endsAt === null ? null : new Date(n.endsAt).toISOString(),
    },
  };
}

/** A Slack incoming-webhook body of an alert change. */
export function slackBody(n: AlertNotice) {
  const icon =
    n.status === 'resolved'
      ? ':white_check_mark:'
      : n.labels.severity === 'critical'
        ? ':rotating_light:'
        : ':warning:';
  const head = `${icon} [${n.status.toUpperCase()}] ${n.labels.alertname} (${n.labels.severity})`;
  const fields = [
    'code',
    'category',
    'wallet',
    'operation',
    'outTradeNo',
    'amount',
    'refundNo',
    'occurrences',
  ]
    .map((k) => [k, n.labels[k] ?? n.annotations[k]] as const)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `*${k}*: ${v}`);
  const text = `${head}\n${n.annotations.summary ?? ''}`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: fields.join('  ') }] },
    ],
  };
}

/** The webhook channel. */
export function webhookChannel(o: WebhookChannelOptions): AlertChannel {
  const signer = o.secret ? new Webhook(o.secret) : undefined;
  return {
    name: 'webhook',
    batch: false,
    async send(notices, signal) {
      for (const n of notices) {
        const now = Date.now();
        const id = `alert_${n.fingerprint}_${n.version}`;
        const body = JSON.stringify(o.format === 'slack' ? slackBody(n) : standardBody(n, now));
        const at = new Date(now);
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(now / 1000)),
        };
        if (signer) headers['webhook-signature'] = signer.sign(id, at, body);
        const res = await o.http.fetch(o.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.any([signal, AbortSignal.timeout(o.timeoutMs)]),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) throw new Error(`webhook answered ${res.status}`);
      }
    },
  };
}
