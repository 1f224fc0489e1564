// The rules file's shape. Rules are data: a YAML or JSON file, validated when the plugin starts,
// every problem named by the rule it is in (`rules[3] (SignatureFailures): window: ...`).
import { EVENT_TYPES } from '@paystream/plugin-sdk';
import { z } from 'zod';

const DURATION = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Milliseconds of a duration written `500ms`, `30s`, `5m` or `2h`. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

const duration = z
  .string()
  .regex(DURATION, 'must be a duration like 500ms, 30s, 5m or 2h')
  .transform(parseDuration)
  .refine((ms) => ms > 0, 'must be longer than zero');

/**
 * Labels an alert can be grouped by (its identity in Alertmanager). `outTradeNo` makes one alert
 * per order: for rules where each order needs its own action (money to give back), never for rules
 * that fire on bursts.
 */
export const GROUP_LABELS = ['code', 'category', 'wallet', 'operation', 'outTradeNo'] as const;
export type GroupLabel = (typeof GROUP_LABELS)[number];

export const SEVERITIES = ['critical', 'warning', 'info'] as const;

/** Which events a rule looks at: every list given must contain the event's value. */
const match = z.strictObject({
  codes: z.array(z.string().min(1)).min(1).optional(),
  categories: z.array(z.string().min(1)).min(1).optional(),
  operations: z.array(z.string().min(1)).min(1).optional(),
  types: z.array(z.enum(EVENT_TYPES)).min(1).optional(),
  wallets: z.array(z.string().min(1)).min(1).optional(),
});

const common = {
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,99}$/, 'must be an alert name like BalanceInsufficient'),
  severity: z.enum(SEVERITIES),
  match,
  groupBy: z.array(z.enum(GROUP_LABELS)).optional(),
  /** Quiet period: the alert resolves when its condition has not been met for this long. */
  resolveAfter: duration.optional(),
  summary: z.string().min(1).max(500).optional(),
  description: z.string().min(1).max(2000).optional(),
  /**
   * The alert's runbook (annotation `runbook_url`): a path in the repository such as
   * `docs/runbooks/{{code}}.md`, or a URL; templates like `summary`. Joined to
   * PAYSTREAM_RUNBOOK_BASE_URL when that is set.
   */
  runbook: z.string().min(1).max(500).optional(),
};

/** Fires on every matching event (grouped into one alert per group). */
const codeRule = z.strictObject({ kind: z.literal('code'), ...common });
/** Fires when at least `threshold` matching events fall in `window` (per group). */
const rateRule = z.strictObject({
  kind: z.literal('rate'),
  ...common,
  threshold: z.number().int().min(1),
  window: duration,
});
/** Fires when the share of failed (code other than 00) among matching events in `window` exceeds `threshold`. */
const ratioRule = z.strictObject({
  kind: z.literal('ratio'),
  ...common,
  threshold: z.number().gt(0).lt(1),
  window: duration,
  /** Fewer events than this in the window never fire (one failure out of one is not a trend). */
  minEvents: z.number().int().min(1).default(20),
});

export const ruleSchema = z.discriminatedUnion('kind', [codeRule, rateRule, ratioRule]);

export const rulesFileSchema = z.strictObject({
  defaults: z
    .strictObject({
      resolveAfter: duration.optional(),
      groupBy: z.array(z.enum(GROUP_LABELS)).optional(),
      runbook: z.string().min(1).max(500).optional(),
    })
    .optional(),
  rules: z.array(z.unknown()).min(1, 'must list at least one rule'),
});

type Parsed = z.output<typeof ruleSchema>;
/** A validated rule with its defaults applied. */
export type Rule = Parsed extends infer P
  ? P extends Parsed
    ? Omit<P, 'groupBy' | 'resolveAfter' | 'runbook'> & {
        groupBy: readonly GroupLabel[];
        /** Milliseconds. */
        resolveAfter: number;
        /** The runbook template (`docs/runbooks/README.md` when the file names none). */
        runbook: string;
      }
    : never
  : never;
