export type { BatchOutcome, DeadLetterInfo } from './consume.js';
export { DLQ_HEADERS, deadLetterTopic } from './consume.js';
export type { CreateBusOptions } from './create-bus.js';
export { createBus } from './create-bus.js';
export {
  markProcessed,
  memoryProcessedIds,
  PROCESSED_EVENTS_TABLE,
  processedAmong,
  processedIdsMigrations,
  sqlProcessedIds,
} from './dedupe.js';
export type { EmbeddedBusOptions, EmbeddedEventBus } from './embedded/bus.js';
export { createEmbeddedBus, GroupAlreadyConsumedError } from './embedded/bus.js';
export type { StoredRecord } from './embedded/log.js';
export type { KafkaBusOptions, KafkaEventBus } from './kafka/bus.js';
export { createKafkaBus } from './kafka/bus.js';
export type { TopicSettings } from './kafka/topics.js';
export { defaultMinInsyncReplicas } from './kafka/topics.js';
export type { BacklogSource, BacklogWatch, BusMetrics, HandledLabels } from './metrics.js';
export { busMetrics, watchBacklog } from './metrics.js';
export { enqueueEvents } from './outbox/enqueue.js';
export { createOutboxTable, OUTBOX_TABLE, outboxMigrations } from './outbox/migrations.js';
export type { Poller } from './outbox/poller.js';
export { createPoller } from './outbox/poller.js';
export type { OutboxRecordColumns, RecordOutboxRelayOptions } from './outbox/record-relay.js';
export { createRecordOutboxRelay, outboxRecordColumns } from './outbox/record-relay.js';
export type { OutboxRelayOptions } from './outbox/relay.js';
export { createOutboxRelay } from './outbox/relay.js';
export type { OutboxRelay, RelayOptions, TableRelayOptions } from './outbox/table-relay.js';
export { createTableRelay, outboxLockKey } from './outbox/table-relay.js';
export type { RetainedTable, TablePruner, TablePrunerOptions } from './retention/pruner.js';
export {
  countRows,
  createTablePruner,
  deleteOlderBatch,
  PRUNE_DEFAULTS,
  retentionMetrics,
} from './retention/pruner.js';
export { processedEventIds, sentOutboxRows } from './retention/tables.js';
export type {
  BatchContext,
  BatchHandler,
  BatchResult,
  BusEvent,
  BusLogger,
  CommonBusOptions,
  DeadLetter,
  EventBus,
  EventHandler,
  HandlerContext,
  ProcessedIds,
  RawRecord,
  RecordReader,
  RedriveResult,
  SubscribeOptions,
  Subscription,
} from './types.js';
