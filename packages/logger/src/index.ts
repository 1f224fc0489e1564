export type { ChildLogger, CreateLoggerOptions, Logger } from './logger.js';
export { createLogger, REDACTED_FIELDS, REDACTION, silentLogger } from './logger.js';
