export type { Caller } from './auth.js';
export { ApiKeyStore, authenticate, requireScope, scoped } from './auth.js';
export { answerClientErrorsAsProblems } from './client-error.js';
export type { FieldError } from './errors.js';
export {
  ClientAbortedError,
  ConflictError,
  ForbiddenError,
  IdempotencyConflictError,
  MalformedJsonError,
  NotFoundError,
  PayloadTooLargeError,
  PROBLEM_TYPE,
  ProblemError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './errors.js';
export { jsonSchema, openApiOperation, openApiPaths } from './openapi.js';
export type { Problem, StatusOf } from './problem.js';
export {
  fromExpress,
  instanceOf,
  PROBLEM_CONTENT_TYPE,
  problemMiddleware,
  STATUS_OF_KIND,
  sendProblem,
  statusOf,
  toProblem,
} from './problem.js';
export type { AnswerOf, InputOf, Method, ProblemSpec, ResponseSpec, Responses, RouteSpec } from './route.js';
export { fieldErrors, handler, mount, parseRequest, route } from './route.js';
