export { prepareDatabase } from './database.js';
export type { FieldError } from './errors.js';
export {
  ConflictError,
  ForbiddenError,
  GatewayError,
  IdempotencyConflictError,
  MalformedJsonError,
  NotFoundError,
  NotificationRejectedError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnavailableError,
  UpstreamRejectedError,
  ValidationError,
} from './errors.js';
export type { Caller } from './http/auth.js';
export { ApiKeyStore, authenticate, requireScope } from './http/auth.js';
export type { Problem } from './http/problem.js';
export { problemMiddleware, toProblem } from './http/problem.js';
export type { EnqueueEvents } from './payments/recorder.js';
export type { Transition } from './payments/state-machine.js';
export { ORDER_TRANSITIONS, REFUND_TRANSITIONS } from './payments/state-machine.js';
export type { SweepResult } from './payments/sweeper.js';
export { openApiDocument } from './routes/openapi.js';
export type { Gateway, GatewayDeps, GatewayLogger } from './server.js';
export { createGateway, createServer } from './server.js';
export type { RunningGateway, StartGatewayOptions } from './start.js';
export { startGateway } from './start.js';
export { gatewayMigrations } from './store/migrations.js';
export type { GatewaySchema, OrderStatus, RefundStatus } from './store/schema.js';
