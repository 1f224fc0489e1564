// The plugin contract. Everything a plugin imports comes from here; nothing here depends on the
// host's insides (`@paystream/plugin-host`, `@paystream/bus`).
export type { Scope } from '@paystream/config';
export type { Kysely, Migration, Transaction } from '@paystream/db';
export { sql } from '@paystream/db';
export type {
  CloudEventEnvelope,
  EventDataOf,
  EventOf,
  EventType,
  LedgerEntryData,
  LedgerEntryPostedEvent,
  LedgerPosting,
  RefundEventType,
  TypedEvent,
} from '@paystream/events';
export {
  createLedgerEntryPosted,
  EVENT_TYPES,
  EVENTS_TOPIC,
  LEDGER_ENTRIES_TOPIC,
  LEDGER_ENTRY_POSTED,
  REFUND_TYPES,
} from '@paystream/events';
export type { Currency, MinorUnits } from '@paystream/money';
export { CURRENCIES, formatAmount, minorUnits } from '@paystream/money';
export type {
  HandleBatchContext,
  HandleContext,
  LedgerEventType,
  PaystreamPlugin,
  PluginDelivery,
  PluginEventOf,
  PluginEventType,
  PluginFactory,
  PluginSpec,
  PluginSubscription,
} from './define-plugin.js';
export {
  definePlugin,
  LEDGER_EVENT_TYPES,
  PLUGIN_ID,
  PluginDefinitionError,
  subscriptionMatches,
  subscriptionTopic,
  validatePluginOptions,
} from './define-plugin.js';
export type { FieldProblem } from './errors.js';
export { PluginHttpError, PluginNotFoundError, PluginValidationError } from './errors.js';
export type {
  BatchReadRows,
  BatchStatement,
  PluginBatches,
  PluginConfig,
  PluginDatabase,
  PluginHttpClient,
  PluginHttpRouter,
  PluginLogger,
  PluginMetrics,
  PluginPublisher,
  PluginScheduler,
  ResolvedDeps,
  ServiceRef,
  UpstreamOrderView,
  UpstreamQuery,
} from './services.js';
export { batchService, coreServices, createServiceRef } from './services.js';
