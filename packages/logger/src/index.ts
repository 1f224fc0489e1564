export type { ChildLogger, CreateLoggerOptions, Logger } from './logger.js';
export { censoredPino, censorSecrets, createLogger, REDACTED_FIELDS, silentLogger } from './logger.js';
