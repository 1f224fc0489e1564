// Alertmanager's v2 API (POST /api/v2/alerts). Alertmanager keeps an alert while its `endsAt` is in
// the future: a firing alert is re-posted every `resendMs` with `endsAt` a few re-sends ahead (as
// Prometheus does), and resolved by posting it with `endsAt` = when it resolved.
import type { PluginHttpClient } from '@paystream/plugin-sdk';
import type { AlertChannel, AlertNotice } from './types.js';

/** Options of {@link alertmanagerChannel}. */
export interface AlertmanagerChannelOptions {
  /** Base URL, e.g. http://alertmanager:9093 (ALERTMANAGER_URL). */
  url: string;
  http: PluginHttpClient;
  /** Re-send interval of a firing alert. */
  resendMs: number;
  timeoutMs: number;
  /** Link from an alert back to Paystream (Alertmanager's `generatorURL`). */
  generatorUrl?: string;
}

/** The Alertmanager v2 body of one alert. */
export function alertmanagerAlert(n: AlertNotice, resendMs: number, now: number, generatorUrl?: string) {
  return {
    labels: n.labels,
    annotations: n.annotations,
    startsAt: new Date(n.startsAt).toISOString(),
    // Four re-sends ahead: a few lost posts do not resolve it; a dead Paystream lets it lapse.
    endsAt: new Date(
      n.status === 'resolved' && n.endsAt !== null ? n.endsAt : now + 4 * resendMs,
    ).toISOString(),
    ...(generatorUrl ? { generatorURL: generatorUrl } : {}),
  };
}

/** The Alertmanager channel. */
export function alertmanagerChannel(o: AlertmanagerChannelOptions): AlertChannel {
  const endpoint = `${o.url.replace(/\/+$/, '')}/api/v2/alerts`;
  return {
    name: 'alertmanager',
    batch: true,
    resendMs: o.resendMs,
    async send(notices, signal) {
      const now = Date.now();
      const res = await o.http.fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(notices.map((n) => alertmanagerAlert(n, o.resendMs, now, o.generatorUrl))),
        signal: AbortSignal.any([signal, AbortSignal.timeout(o.timeoutMs)]),
      });
      if (!res.ok)
        throw new Error(`alertmanager answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      await res.arrayBuffer().catch(() => undefined);
    },
  };
}
