export { EVENTS_TOPIC } from '@paystream/telemetry';
export type { IncomingKafkaRecord, KafkaRecord } from './kafka-binding.js';
export { CE_HEADERS, fromKafkaMessage, headerString, toKafkaMessage } from './kafka-binding.js';
export {
  DATA_SCHEMA_VERSION,
  dataSchemaUri,
  eventJsonSchemas,
  eventSchemas,
  paymentEventDataSchema,
  paystreamEventSchema,
} from './schema.js';
export { activeTraceContext } from './trace.js';
export type { EventOperation, EventType, PaymentEventData, PaystreamEvent } from './types.js';
export { EVENT_OPERATIONS, EVENT_TYPES, REFUND_TYPES, UNKNOWN_OUTCOME_TYPES } from './types.js';
export type { CreateEventOptions, EventFieldError } from './validate.js';
export { createEvent, EventValidationError, validateEvent } from './validate.js';
