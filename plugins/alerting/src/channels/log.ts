import type { PluginLogger } from '@paystream/plugin-sdk';
import type { AlertChannel } from './types.js';

/** The log channel: one line per alert change, `error` for critical, `warn` otherwise. */
export function logChannel(logger: PluginLogger): AlertChannel {
  return {
    name: 'log',
    batch: false,
    async send(notices) {
      for (const n of notices) {
        const line = {
          alert: n.labels.alertname,
          status: n.status,
          labels: n.labels,
          annotations: n.annotations,
          startsAt: new Date(n.startsAt).toISOString(),
          ...(n.endsAt !== null ? { endsAt: new Date(n.endsAt).toISOString() } : {}),
        };
        const msg = `ALERT ${n.status} ${n.labels.alertname}: ${n.annotations.summary ?? ''}`;
        if (n.status === 'firing' && n.labels.severity === 'critical') logger.error(line, msg);
        else logger.warn(line, msg);
      }
    },
  };
}
