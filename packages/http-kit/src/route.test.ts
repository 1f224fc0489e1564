// The route table types a handler's answer: a status the table does not list, or a body field
// its schema does not have, fails the typecheck (`@ts-expect-error` fails when nothing errs).
import express from 'express';
import request from 'supertest';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { ApiKeyStore, authenticate } from './auth.js';
import { openApiPaths } from './openapi.js';
import { problemMiddleware } from './problem.js';
import { type AnswerOf, handler, route } from './route.js';

const thing = z.object({ id: z.string(), note: z.string().optional() });
const getThing = route({
  operationId: 'getThing',
  method: 'get',
  path: '/things/:id',
  scope: null,
  summary: 'Read a thing',
  tags: ['things'],
  params: z.strictObject({ id: z.string().regex(/^[a-z]+$/, 'letters only') }),
  responses: {
    200: { description: 'The thing', schema: thing, ref: 'Thing' },
    202: { description: 'Not yet', schema: thing.extend({ detail: z.string() }) },
  },
  problems: { 404: { description: 'No such thing', examples: {} } },
});

describe('AnswerOf', () => {
  it('is one of the listed statuses with its own body', () => {
    expectTypeOf<AnswerOf<typeof getThing>>().toEqualTypeOf<
      | { status: 200; body: { id: string; note?: string | undefined } }
      | { status: 202; body: { id: string; note?: string | undefined; detail: string } }
    >();
    const ok: AnswerOf<typeof getThing> = { status: 200, body: { id: 'a' } };
    // @ts-expect-error a field the response schema does not have
    const extra: AnswerOf<typeof getThing> = { status: 200, body: { id: 'a', queryCode: '31' } };
    // @ts-expect-error a status the route does not answer
    const unlisted: AnswerOf<typeof getThing> = { status: 201, body: { id: 'a' } };
    // @ts-expect-error the 202 body must say why
    const missing: AnswerOf<typeof getThing> = { status: 202, body: { id: 'a' } };
    expect([ok, extra, unlisted, missing]).toHaveLength(4);
  });
});

describe('handler', () => {
  const app = express();
  app.get(
    getThing.path,
    handler(getThing)(async ({ params }) => ({ status: 200, body: { id: params.id } })),
  );
  app.use(problemMiddleware({ warn() {}, error() {} }));

  it('answers what the handler returns', async () => {
    const res = await request(app).get('/things/abc');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: 'abc' });
  });

  it('refuses a bad path parameter with every field named', async () => {
    const res = await request(app).get('/things/ABC');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      type: 'https://paystream.dev/problems/validation',
      errors: [{ field: 'id', message: 'letters only' }],
    });
  });

  it('checks the scope before anything else', async () => {
    const scopedRoute = route({ ...getThing, scope: 'payments:read' });
    const keyed = express();
    keyed.get(
      '/things/:id',
      authenticate(new ApiKeyStore([])),
      handler(scopedRoute)(async ({ params }) => ({ status: 200, body: { id: params.id } })),
    );
    keyed.use(problemMiddleware({ warn() {}, error() {} }));
    const res = await request(keyed).get('/things/ABC').set('authorization', 'Bearer nope');
    expect(res.status).toBe(401);
    expect(res.get('www-authenticate')).toBe('Bearer realm="paystream"');
  });
});

describe('openApiPaths', () => {
  it('writes paths in OpenAPI syntax, named schemas as references, problems as problem+json', () => {
    const { paths, schemas } = openApiPaths([getThing]);
    const op = (paths['/things/{id}'] as Record<string, Record<string, unknown>>).get!;
    expect(op.operationId).toBe('getThing');
    expect(op.security).toEqual([]);
    expect(Object.keys(op.responses as object)).toEqual(['200', '202', '404']);
    expect(JSON.stringify((op.responses as Record<string, unknown>)['200'])).toContain(
      '#/components/schemas/Thing',
    );
    expect(JSON.stringify((op.responses as Record<string, unknown>)['404'])).toContain(
      'application/problem+json',
    );
    expect(schemas).toHaveProperty('Thing');
  });
});
