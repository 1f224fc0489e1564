export type { ApiKeyEntry, Scope } from './api-keys.js';
export { apiKeyEntrySchema, apiKeysSchema, hashApiKey, SCOPES } from './api-keys.js';
export { parseBrokers } from './brokers.js';
export type { PaystreamConfig } from './env.js';
export { DEV_CALLER, loadConfig, worstCaseRequestMs } from './env.js';
export { ConfigError } from './errors.js';
export { closeOnSignals, loadConfigOrExit } from './process.js';
export type { RetentionConfig } from './retention.js';
export { IDEMPOTENCY_KEY_MIN_RETENTION_MS, RETENTION_DEFAULTS } from './retention.js';
