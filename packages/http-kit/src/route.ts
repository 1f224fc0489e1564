// A route table entry: what an HTTP surface answers, written once. The Express handlers
// validate against it, the OpenAPI document is generated from it (openapi.ts), and a handler's
// answer is typed by its response schemas, so a field the table does not list does not compile.
import type { Scope } from '@paystream/config';
import type { IRouter, Request, RequestHandler } from 'express';
import type { z } from 'zod';
import { type Caller, requireScope } from './auth.js';
import { type FieldError, UnsupportedMediaTypeError, ValidationError } from './errors.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One answer a route gives: its body's schema (JSON unless `contentType` says otherwise). */
export interface ResponseSpec<S extends z.ZodType = z.ZodType> {
  description: string;
  schema: S;
  /** The schema's name under `components.schemas`, when several routes share it. */
  ref?: string;
  contentType?: string;
  examples?: Readonly<Record<string, unknown>>;
  headers?: Readonly<Record<string, unknown>>;
}

/** A refusal a route documents (answered as problem+json by the problem middleware). */
export interface ProblemSpec {
  description: string;
  examples: Readonly<Record<string, unknown>>;
  headers?: Readonly<Record<string, unknown>>;
}

export type Responses = Readonly<Partial<Record<number, ResponseSpec>>>;

export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends Responses = Responses,
> {
  operationId: string;
  method: Method;
  /** Express syntax: `/v1/payments/:outTradeNo`. */
  path: string;
  /** Every scope the caller's API key must hold; null for routes without an API key. */
  scope: Scope | readonly Scope[] | null;
  summary: string;
  description?: string;
  tags: readonly string[];
  params?: P;
  query?: Q;
  body?: B;
  /** The request body's OpenAPI description, example and whether it may be left out. */
  requestBody?: { required: boolean; description?: string; example?: unknown; schema?: unknown };
  /** Header parameters, as OpenAPI parameter objects. */
  headers?: readonly Readonly<Record<string, unknown>>[];
  responses: R;
  problems?: Readonly<Record<number, ProblemSpec>>;
}

/** Declares a route, keeping its schema types for {@link AnswerOf} and {@link InputOf}. */
export function route<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  const R extends Responses = Responses,
>(spec: RouteSpec<P, Q, B, R>): RouteSpec<P, Q, B, R> {
  return spec;
}

type ResponsesOf<T> = T extends RouteSpec<z.ZodType, z.ZodType, z.ZodType, infer R> ? R : never;

/** What a route's handler may answer: one of its statuses with that status's body. */
export type AnswerOf<T> = {
  [S in keyof ResponsesOf<T> & number]: ResponsesOf<T>[S] extends ResponseSpec<infer Schema>
    ? { status: S; body: z.output<Schema> }
    : never;
}[keyof ResponsesOf<T> & number];

type Out<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;

/** What a route's handler is given once the request passed its scope and schemas. */
export type InputOf<T> =
  T extends RouteSpec<infer P, infer Q, infer B, Responses>
    ? { caller: Caller; params: Out<P>; query: Out<Q>; body: Out<B>; req: Request }
    : never;

/** zod issues as the API's `errors` array; each unknown field is named on its own. */
export function fieldErrors(error: z.ZodError, where?: string): FieldError[] {
  return error.issues.flatMap((issue) => {
    const path = [...(where ? [where] : []), ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...path, key].join('.'), message: 'is not a known field' }));
    }
    return [{ field: path.join('.') || '(body)', message: issue.message }];
  });
}

/**
 * Checks a request against its route, in the order that keeps bad requests traceless: scope,
 * then path, query and body together (every bad field named at once). Throws the problem.
 */
export function parseRequest<T extends RouteSpec>(spec: T, req: Request): InputOf<T> {
  const caller = spec.scope === null ? { id: '', scopes: [] } : requireScope(req, spec.scope);
  const errors: FieldError[] = [];
  const check = (schema: z.ZodType | undefined, value: unknown): unknown => {
    if (!schema) return {};
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    errors.push(...fieldErrors(parsed.error));
    return undefined;
  };
  const params = check(spec.params, req.params);
  const query = check(spec.query, req.query);
  let body: unknown;
  if (spec.body) {
    const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
    if (req.body === undefined && hasBody && !req.is('application/json'))
      throw new UnsupportedMediaTypeError();
    body = check(spec.body, req.body);
  }
  if (errors.length > 0) throw new ValidationError(errors);
  return { caller, params, query, body, req } as InputOf<T>;
}

/**
 * A route's Express handler: the request checked against the table, the answer sent as typed.
 * Curried so that the route is fixed before the handler is read: its answer is then typed by the
 * route alone (status literals stay literals).
 */
export function handler<T extends RouteSpec>(
  spec: T,
): (run: (input: InputOf<T>) => Promise<AnswerOf<T>>) => RequestHandler {
  return (run) => async (req, res, next) => {
    try {
      const answer = await run(parseRequest(spec, req));
      res.status(answer.status).json(answer.body);
    } catch (err) {
      next(err);
    }
  };
}

/** Mounts a route's handlers at its method and path, so neither is written twice. */
export function mount(router: IRouter, spec: RouteSpec, ...handlers: RequestHandler[]): void {
  router[spec.method](spec.path, ...handlers);
}
