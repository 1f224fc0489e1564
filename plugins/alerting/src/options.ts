import { z } from 'zod';

/** The plugin's options; every one also has a documented default or environment variable. */
export const alertingOptions = z.strictObject({
  /** A YAML or JSON rules file. Default: ALERT_RULES_FILE, else the shipped rules/default.yaml. */
  rulesFile: z.string().min(1).optional(),
  /** A rules document given inline (as the file would parse); wins over `rulesFile`. */
  rules: z.unknown().optional(),
  /** Alertmanager's base URL. Default: ALERTMANAGER_URL; unset = no Alertmanager channel. */
  alertmanagerUrl: z.url().optional(),
  /** The generic webhook. Default: ALERT_WEBHOOK_URL, ALERT_WEBHOOK_SECRET, ALERT_WEBHOOK_FORMAT. */
  webhook: z
    .strictObject({
      url: z.url(),
      secret: z
        .string()
        .regex(/^whsec_[A-Za-z0-9+/=]+$/, 'must be whsec_ followed by base64')
        .optional(),
      format: z.enum(['standard', 'slack']).default('standard'),
    })
    .optional(),
  /** The log channel (one line per alert change). */
  log: z.boolean().default(true),
  /** How often a firing alert is re-posted to Alertmanager. */
  resendIntervalMs: z.number().int().min(100).default(60_000),
  /** How often quiet alerts are resolved. */
  evaluateIntervalMs: z.number().int().min(10).default(5_000),
  /** How often due deliveries are sent. */
  deliverIntervalMs: z.number().int().min(10).default(1_000),
  /** First retry delay of a failed channel; doubles per attempt up to `retryBackoffMaxMs`. */
  retryBackoffMs: z.number().int().min(10).default(1_000),
  retryBackoffMaxMs: z.number().int().min(10).default(30_000),
  /** Per request to a channel. */
  timeoutMs: z.number().int().min(100).default(5_000),
  /**
   * Joined before each rule's runbook path in the `runbook_url` annotation (where the repository's
   * docs are published). Default: PAYSTREAM_RUNBOOK_BASE_URL; unset = the path in the repository.
   */
  runbookBaseUrl: z.string().min(1).optional(),
  /** How long rate windows and counted event ids are kept. */
  retentionMs: z.number().int().min(60_000).default(86_400_000),
});

export type AlertingOptions = z.output<typeof alertingOptions>;
