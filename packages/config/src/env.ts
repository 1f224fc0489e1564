import { z } from 'zod';
import { type ApiKeyEntry, apiKeysSchema } from './api-keys.js';
import { parseBrokers } from './brokers.js';
import { ConfigError } from './errors.js';
import { type RetentionConfig, retentionConfig, retentionProblems, retentionVariables } from './retention.js';

/** The caller id of the all-in-one's development key. */
export const DEV_CALLER = 'dev';

const port = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) {
        ctx.addIssue({ code: 'custom', message: 'must be a port number between 0 and 65535' });
        return z.NEVER;
      }
      return n;
    });

const positiveInt = (fallback: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0 || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number between 1 and ${max}` });
        return z.NEVER;
      }
      return n;
    });

/** A whole number 1..max, or undefined when unset (the default is derived from other variables). */
const positiveIntOrUnset = (max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0 || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number between 1 and ${max}` });
        return z.NEVER;
      }
      return n;
    });

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** A Kafka topic name, or undefined when unset (the caller knows the default topic). */
const topicName = optionalText.refine((v) => v === undefined || /^[A-Za-z0-9._-]{1,249}$/.test(v), {
  message: 'must be a Kafka topic name: 1 to 249 letters, digits, dots, underscores or hyphens',
});

const url = optionalText.refine((v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v), {
  message: 'must be an http:// or https:// URL',
});

const brokers = optionalText.transform((v, ctx) => {
  try {
    return parseBrokers(v);
  } catch {
    // The message of parseBrokers quotes the entry; a config error never repeats a value.
    ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of host:port' });
    return z.NEVER;
  }
});

const apiKeys = optionalText.transform((v, ctx): ApiKeyEntry[] => {
  if (v === undefined) return [];
  let json: unknown;
  try {
    json = JSON.parse(v);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON array of {caller, sha256, scopes}' });
    return z.NEVER;
  }
  const parsed = apiKeysSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    ctx.addIssue({
      code: 'custom',
      message: `entry ${first?.path.join('.') || '(root)'} ${first?.message ?? 'is invalid'}`,
    });
    return z.NEVER;
  }
  return parsed.data;
});

const logLevel = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'must be one of fatal, error, warn, info, debug, trace, silent',
  })
  .default('info');

// The bundled sandbox's own variables: the all-in-one starts it on SANDBOX_PORT, and so does the
// sandbox's process (loadSandboxConfig), from this one definition.
const sandboxEnvSchema = z.object({
  SANDBOX_PORT: port(8081),
  SANDBOX_HOST: optionalText.default('127.0.0.1'),
  // Added to every answer, as a real aggregator's latency would be.
  SANDBOX_LATENCY_MS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return 0;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 120_000) {
        ctx.addIssue({ code: 'custom', message: 'must be an integer from 0 to 120000' });
        return z.NEVER;
      }
      return n;
    }),
  SANDBOX_USER_CONFIRM_KEY: optionalText,
  SANDBOX_PRIVATE_KEY: optionalText,
  LOG_LEVEL: logLevel,
});

// A test-only crash point (`<operation>:<point>`): the gateway SIGKILLs itself there, so the
// crash-point suite can prove every intent is settled after a restart.
const failpoint = optionalText.refine(
  (v) =>
    v === undefined || /^(create|refund|cancel|close):(before-upstream|after-upstream|after-commit)$/.test(v),
  { message: 'must be <create|refund|cancel|close>:<before-upstream|after-upstream|after-commit>' },
);

// Every variable the gateway and the all-in-one read. Secrets are only ever checked for presence
// or shape, and no message includes a value.
const envSchema = z.object({
  PORT: port(8080),
  HOST: optionalText.default('127.0.0.1'),
  SANDBOX_PORT: sandboxEnvSchema.shape.SANDBOX_PORT,
  PLUGIN_HOST_PORT: port(8090),
  PLUGIN_HOST_CONFIG: optionalText,
  PLUGIN_HOST_EVENTS_TOPIC: topicName,
  PLUGIN_HOST_LEDGER_TOPIC: topicName,
  KAFKA_BROKERS: brokers,
  KAFKA_TOPIC_PARTITIONS: positiveInt(6, 1000),
  KAFKA_TOPIC_REPLICATION_FACTOR: positiveInt(1, 16),
  KAFKA_TOPIC_MIN_INSYNC_REPLICAS: optionalText.pipe(positiveIntOrUnset(16)),
  KAFKA_TOPIC_RETENTION_MS: positiveInt(7 * 24 * 3600 * 1000, 10 * 365 * 24 * 3600 * 1000),
  DATABASE_URL: optionalText.refine(
    (v) => v === undefined || /^(postgres(ql)?:\/\/|sqlite:)/.test(v) || !v.includes('://'),
    { message: 'must be postgres://…, sqlite:<file> or a file path' },
  ),
  UPSTREAM_BASE_URL: url,
  UPSTREAM_USER_CONFIRM_KEY: optionalText,
  UPSTREAM_PRIVATE_KEY: optionalText,
  UPSTREAM_TIMEOUT_MS: positiveInt(10_000, 120_000),
  // Sized for the aggregator's latency, not loopback: the reasoning is beside the client's pool
  // (DEFAULT_UPSTREAM_CONNECTIONS in @paystream/upstream-client), which uses the same defaults.
  UPSTREAM_CONNECTIONS: positiveInt(256, 10_000),
  // Off (1) by default: pipelining signed, non-idempotent POSTs to a payment API puts every call on
  // a socket at the mercy of the one before it (DEFAULT_UPSTREAM_PIPELINING explains).
  UPSTREAM_PIPELINING: positiveInt(1, 100),
  PUBLIC_BASE_URL: url,
  NOTIFY_CLOCK_TOLERANCE_SECONDS: positiveInt(300, 3600),
  PAYSTREAM_API_KEYS: apiKeys,
  // Unset and empty differ here: empty turns the all-in-one's development key off.
  PAYSTREAM_DEV_API_KEY: z
    .string()
    .optional()
    .transform((v) => (v === undefined ? undefined : v.trim() === '' ? null : v.trim())),
  SWEEP_INTERVAL_MS: positiveInt(30_000, 3_600_000),
  EMBEDDED_BUS_FILE: optionalText,
  OUTBOX_POLL_INTERVAL_MS: positiveInt(200, 60_000),
  SHUTDOWN_TIMEOUT_MS: optionalText.pipe(positiveIntOrUnset(600_000)),
  LOG_LEVEL: logLevel,
  PAYSTREAM_FAILPOINT: failpoint,
  ...retentionVariables,
});

/** The validated environment. */
export interface PaystreamConfig {
  port: number;
  host: string;
  sandboxPort: number;
  /** The standalone plugin host's port (the all-in-one serves plugin routes on `port`). */
  pluginHostPort: number;
  /** JSON file naming the plugins to load (package + options); unset = the host's defaults. */
  pluginHostConfig: string | undefined;
  /**
   * The Kafka topics the standalone plugin host reads payment events from and sends ledger entries
   * to; unset = `payments.events.v1` and `ledger.entries.v1` (tests give each run its own).
   */
  pluginHostTopics: { events: string | undefined; ledger: string | undefined };
  /** Empty: the embedded bus. */
  kafkaBrokers: string[];
  /**
   * How the events topic is created when it does not exist yet (existing topics are left alone).
   * `minInsyncReplicas` unset: the bus derives it from the replication factor (2 from 3 on, else 1).
   */
  kafkaTopic: {
    partitions: number;
    replicationFactor: number;
    retentionMs: number;
    minInsyncReplicas?: number;
  };
  databaseUrl: string | undefined;
  upstream: {
    /** Unset: the bundled sandbox. */
    baseUrl: string | undefined;
    userConfirmKey: string | undefined;
    privateKey: string | undefined;
    timeoutMs: number;
    /** Keep-alive sockets per process: the most upstream calls in flight at once. */
    connections: number;
    /** Requests per socket before its first answer; 1 = no pipelining (only queries ever pipeline). */
    pipelining: number;
  };
  /** Where the aggregator can reach this gateway (for notify_url). */
  publicBaseUrl: string | undefined;
  notifyClockToleranceSeconds: number;
  apiKeys: ApiKeyEntry[];
  /**
   * Only the all-in-one honours it, and only with the bundled sandbox. Undefined: unset (the
   * all-in-one picks its default); null: set empty, which turns the development key off.
   */
  devApiKey: string | null | undefined;
  /** How often the gateway settles stale intents by a query. */
  sweepIntervalMs: number;
  embeddedBusFile: string | undefined;
  outboxPollIntervalMs: number;
  shutdownTimeoutMs: number;
  logLevel: z.infer<typeof logLevel>;
  /** How long sent outbox rows, processed event ids and Idempotency-Keys are kept (retention.ts). */
  retention: RetentionConfig;
  /** Tests only: the crash point (`refund:after-upstream`) where the gateway kills itself. */
  failpoint?: string;
}

/** The sandbox process's validated environment. */
export interface SandboxConfig {
  port: number;
  host: string;
  latencyMs: number;
  /** Unset: the sandbox's development credentials. */
  credentials: { userConfirmKey: string | undefined; privateKey: string | undefined };
  logLevel: z.infer<typeof logLevel>;
}

function parseOrThrow<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({
        variable: String(i.path[0] ?? '(environment)'),
        message: i.message,
      })),
    );
  }
  return parsed.data;
}

/** Reads and validates the sandbox process's environment; throws a ConfigError naming every bad variable. */
export function loadSandboxConfig(env: NodeJS.ProcessEnv = process.env): SandboxConfig {
  const e = parseOrThrow(sandboxEnvSchema, env);
  return {
    port: e.SANDBOX_PORT,
    host: e.SANDBOX_HOST,
    latencyMs: e.SANDBOX_LATENCY_MS,
    credentials: { userConfirmKey: e.SANDBOX_USER_CONFIRM_KEY, privateKey: e.SANDBOX_PRIVATE_KEY },
    logLevel: e.LOG_LEVEL,
  };
}

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PaystreamConfig {
  const e = parseOrThrow(envSchema, env);
  const problems: { variable: string; message: string }[] = [];
  // A real aggregator needs real credentials; only the bundled sandbox has development ones.
  if (e.UPSTREAM_BASE_URL !== undefined) {
    if (!e.UPSTREAM_USER_CONFIRM_KEY)
      problems.push({
        variable: 'UPSTREAM_USER_CONFIRM_KEY',
        message: 'is required when UPSTREAM_BASE_URL is set',
      });
    if (!e.UPSTREAM_PRIVATE_KEY)
      problems.push({
        variable: 'UPSTREAM_PRIVATE_KEY',
        message: 'is required when UPSTREAM_BASE_URL is set',
      });
  }
  // The development key has every scope: it must never reach a deployment with a real aggregator.
  if (e.UPSTREAM_BASE_URL !== undefined && typeof e.PAYSTREAM_DEV_API_KEY === 'string') {
    problems.push({
      variable: 'PAYSTREAM_DEV_API_KEY',
      message: 'is only honoured with the bundled sandbox; unset it when UPSTREAM_BASE_URL is set',
    });
  }
  // The development key acts as caller `dev`: a configured caller of that name would share its orders.
  if (
    typeof e.PAYSTREAM_DEV_API_KEY === 'string' &&
    e.PAYSTREAM_API_KEYS.some((k) => k.caller === DEV_CALLER)
  ) {
    problems.push({
      variable: 'PAYSTREAM_API_KEYS',
      message: `caller "${DEV_CALLER}" is the development key's; rename that caller, or set PAYSTREAM_DEV_API_KEY empty`,
    });
  }
  // A topic whose writes need more in-sync replicas than it has copies refuses every acks=all write.
  if (
    e.KAFKA_TOPIC_MIN_INSYNC_REPLICAS !== undefined &&
    e.KAFKA_TOPIC_MIN_INSYNC_REPLICAS > e.KAFKA_TOPIC_REPLICATION_FACTOR
  ) {
    problems.push({
      variable: 'KAFKA_TOPIC_MIN_INSYNC_REPLICAS',
      message: 'must not exceed KAFKA_TOPIC_REPLICATION_FACTOR',
    });
  }
  problems.push(...retentionProblems(e));
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port: e.PORT,
    host: e.HOST,
    sandboxPort: e.SANDBOX_PORT,
    pluginHostPort: e.PLUGIN_HOST_PORT,
    pluginHostConfig: e.PLUGIN_HOST_CONFIG,
    pluginHostTopics: { events: e.PLUGIN_HOST_EVENTS_TOPIC, ledger: e.PLUGIN_HOST_LEDGER_TOPIC },
    kafkaBrokers: e.KAFKA_BROKERS,
    kafkaTopic: {
      partitions: e.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: e.KAFKA_TOPIC_REPLICATION_FACTOR,
      retentionMs: e.KAFKA_TOPIC_RETENTION_MS,
      ...(e.KAFKA_TOPIC_MIN_INSYNC_REPLICAS === undefined
        ? {}
        : { minInsyncReplicas: e.KAFKA_TOPIC_MIN_INSYNC_REPLICAS }),
    },
    databaseUrl: e.DATABASE_URL,
    upstream: {
      baseUrl: e.UPSTREAM_BASE_URL,
      userConfirmKey: e.UPSTREAM_USER_CONFIRM_KEY,
      privateKey: e.UPSTREAM_PRIVATE_KEY,
      timeoutMs: e.UPSTREAM_TIMEOUT_MS,
      connections: e.UPSTREAM_CONNECTIONS,
      pipelining: e.UPSTREAM_PIPELINING,
    },
    publicBaseUrl: e.PUBLIC_BASE_URL,
    notifyClockToleranceSeconds: e.NOTIFY_CLOCK_TOLERANCE_SECONDS,
    apiKeys: e.PAYSTREAM_API_KEYS,
    devApiKey: e.PAYSTREAM_DEV_API_KEY,
    sweepIntervalMs: e.SWEEP_INTERVAL_MS,
    embeddedBusFile: e.EMBEDDED_BUS_FILE,
    outboxPollIntervalMs: e.OUTBOX_POLL_INTERVAL_MS,
    // By default long enough for the worst-case request to finish, plus the final outbox flush.
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS ?? worstCaseRequestMs(e.UPSTREAM_TIMEOUT_MS) + 5_000,
    logLevel: e.LOG_LEVEL,
    retention: retentionConfig(e),
    ...(e.PAYSTREAM_FAILPOINT === undefined ? {} : { failpoint: e.PAYSTREAM_FAILPOINT }),
  };
}

/**
 * The longest a gateway request can run: the upstream call to its deadline, then the settling
 * query to its deadline, plus a second for the database. An intent or Idempotency-Key claim older
 * than this belongs to a request that is over, or died with its process.
 */
export function worstCaseRequestMs(upstreamTimeoutMs: number): number {
  return 2 * upstreamTimeoutMs + 1_000;
}
