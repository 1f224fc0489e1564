export { EVENTS_TOPIC } from '@paystream/telemetry';
export type { CloudEventEnvelope, IncomingKafkaRecord, KafkaRecord } from './kafka-binding.js';
export {
  CE_HEADERS,
  cloudEventFromKafka,
  fromKafkaMessage,
  headerString,
  toKafkaMessage,
} from './kafka-binding.js';
export type { LedgerEntryData, LedgerEntryPostedEvent, LedgerPosting } from './ledger.js';
export {
  createLedgerEntryPosted,
  LEDGER_ENTRIES_TOPIC,
  LEDGER_ENTRY_POSTED,
  ledgerEntryDataSchema,
  ledgerPostingSchema,
} from './ledger.js';
export type { ReadResult } from './read.js';
export { readEvent, readKafkaMessage } from './read.js';
export type { LedgerReadResult } from './read-ledger.js';
export { readLedgerEvent, readLedgerKafkaMessage } from './read-ledger.js';
export {
  DATA_SCHEMA_VERSION,
  dataSchemaUri,
  eventJsonSchemas,
  eventSchemas,
  paymentEventDataSchema,
  paystreamEventSchema,
} from './schema.js';
export { activeTraceContext } from './trace.js';
export type {
  EventDataOf,
  EventOf,
  EventOperation,
  EventType,
  PaymentEventData,
  PaystreamEvent,
  RefundEventType,
  TypedEvent,
  UnknownOutcomeType,
} from './types.js';
export { EVENT_OPERATIONS, EVENT_TYPES, REFUND_TYPES, UNKNOWN_OUTCOME_TYPES } from './types.js';
export type { CreateEventOptions, EventFieldError } from './validate.js';
export { createEvent, EventValidationError, validateEvent } from './validate.js';
