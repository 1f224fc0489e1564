// The alerting plugin: evaluates rules on every payment event that carries a code, keeps alert
// state in its own tables, and sends alert changes to Alertmanager, a webhook and the log from a
// separate, retrying sender, so a channel that is down never stalls the event stream.
import {
  coreServices,
  definePlugin,
  EVENT_TYPES,
  type PluginConfig,
  type PluginHttpClient,
  type PluginLogger,
} from '@paystream/plugin-sdk';
import {
  LABEL_ALERTNAME,
  LABEL_CHANNEL,
  LABEL_SEVERITY,
  METRIC_ALERTS_FIRED_TOTAL,
} from '@paystream/telemetry';
import { alertmanagerChannel } from './channels/alertmanager.js';
import { logChannel } from './channels/log.js';
import type { AlertChannel } from './channels/types.js';
import { webhookChannel } from './channels/webhook.js';
import { createDispatcher } from './dispatch.js';
import { type AlertingOptions, alertingOptions } from './options.js';
import { DEFAULT_RULES_FILE, loadRulesFile, parseRules } from './rules/load.js';
import { observe } from './rules/match.js';
import { RUNBOOK_BASE_URL_VARIABLE, withRunbookBase } from './rules/runbook.js';
import { enrollChannels, prune, recordObservation, resolveQuiet } from './store/alerts.js';
import { listAlerts } from './store/list.js';
import { migrations } from './store/migrations.js';

/** The channels the options and the environment ask for. */
export function channelsFor(
  o: AlertingOptions,
  config: PluginConfig,
  http: PluginHttpClient,
  logger: PluginLogger,
): AlertChannel[] {
  const channels: AlertChannel[] = [];
  const amUrl = o.alertmanagerUrl ?? config.get('ALERTMANAGER_URL');
  if (amUrl)
    channels.push(
      alertmanagerChannel({ url: amUrl, http, resendMs: o.resendIntervalMs, timeoutMs: o.timeoutMs }),
    );
  const hookUrl = o.webhook?.url ?? config.get('ALERT_WEBHOOK_URL');
  if (hookUrl) {
    const secret = o.webhook?.secret ?? config.get('ALERT_WEBHOOK_SECRET');
    const format =
      o.webhook?.format ?? (config.get('ALERT_WEBHOOK_FORMAT') === 'slack' ? 'slack' : 'standard');
    if (format === 'standard' && !secret)
      throw new Error('webhook: a Standard Webhooks channel needs a whsec_ secret (ALERT_WEBHOOK_SECRET)');
    channels.push(
      webhookChannel({ url: hookUrl, format, http, timeoutMs: o.timeoutMs, ...(secret ? { secret } : {}) }),
    );
  }
  if (o.log) channels.push(logChannel(logger));
  return channels;
}

export const createAlertingPlugin = definePlugin({
  id: 'alerting',
  description: 'Alerts on upstream status codes and rates: Alertmanager, webhook, log',
  subscribes: { types: [...EVENT_TYPES] },
  options: alertingOptions,
  deps: {
    logger: coreServices.logger,
    metrics: coreServices.metrics,
    config: coreServices.config,
    database: coreServices.database,
    http: coreServices.httpClient,
    scheduler: coreServices.scheduler,
    router: coreServices.httpRouter,
  },
  async setup({ logger, metrics, config, database, http, scheduler, router }, options) {
    const rulesFile = options.rulesFile ?? config.get('ALERT_RULES_FILE') ?? DEFAULT_RULES_FILE;
    const rules = withRunbookBase(
      options.rules !== undefined ? parseRules(options.rules, 'options.rules') : loadRulesFile(rulesFile),
      options.runbookBaseUrl ?? config.get(RUNBOOK_BASE_URL_VARIABLE),
    );
    const channels = channelsFor(options, config, http, logger);
    await database.migrate(migrations);
    const fired = metrics.counter({
      name: METRIC_ALERTS_FIRED_TOTAL,
      help: 'Alerts raised by the alerting plugin and accepted by a channel, by alert name, severity and channel',
      labelNames: [LABEL_ALERTNAME, LABEL_SEVERITY, LABEL_CHANNEL],
    });
    // Every series exists from start-up, so `increase(...) > 0` sees an alert's first delivery.
    for (const rule of rules)
      for (const channel of channels)
        fired.inc({ alertname: rule.name, severity: rule.severity, channel: channel.name }, 0);
    // Alerts still open from before this start are owed to every channel configured now.
    const enrolled = await enrollChannels(
      database.db,
      channels.map((c) => c.name),
    );
    if (enrolled > 0)
      logger.info({ deliveries: enrolled }, 'open alerts queued for channels that have not had them');
    const dispatcher = createDispatcher({
      db: database.db,
      channels,
      backoff: { baseMs: options.retryBackoffMs, maxMs: options.retryBackoffMaxMs },
      logger,
      fired,
    });
    scheduler.every('deliver', options.deliverIntervalMs, (signal) =>
      dispatcher.tick(signal).then(() => undefined),
    );
    scheduler.every('resolve', options.evaluateIntervalMs, async () => {
      const resolved = await resolveQuiet(database.db);
      if (resolved.length > 0) logger.info({ alerts: resolved.length }, 'quiet alerts resolved');
      await prune(database.db, options.retentionMs);
    });
    router.router.get('/alerts', router.requireScope('plugins:admin'), async (_req, res) => {
      res.json({ alerts: await listAlerts(database.db) });
    });
    logger.info(
      { rules: rules.map((r) => r.name), channels: channels.map((c) => c.name) },
      'alerting rules loaded',
    );
    return { rules, channels: channels.map((c) => c.name), database, dispatcher };
  },
  async handle(event, { state }) {
    const o = observe(event);
    if (!o) return;
    await recordObservation(
      state.database.db,
      state.database.kind === 'postgres',
      state.rules,
      o,
      state.channels,
    );
  },
});

export default createAlertingPlugin;
