export { EVENTS_TOPIC } from '@paystream/telemetry';
export * from './kafka-binding.js';
export * from './ledger.js';
export type { ReadResult } from './read.js';
export { readEvent, readKafkaMessage } from './read.js';
export * from './read-ledger.js';
export {
  DATA_SCHEMA_VERSION,
  dataSchemaUri,
  eventJsonSchemas,
  eventSchemas,
  paymentEventDataSchema,
  paystreamEventSchema,
} from './schema.js';
export * from './trace.js';
export * from './types.js';
export * from './validate.js';
