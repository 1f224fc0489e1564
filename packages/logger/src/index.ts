export type { ChildLogger, CreateLoggerOptions, Logger } from './logger.js';
export { createLogger, REDACTED_FIELDS, silentLogger } from './logger.js';
