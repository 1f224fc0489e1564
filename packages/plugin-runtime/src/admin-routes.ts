// The host's admin surface, written once: http.ts mounts these routes, their answers are typed by
// the response schemas, and `adminOpenApiPaths` documents them from the same entries.
import { openApiPaths, PROBLEM_TYPE, route } from '@paystream/http-kit';
import { z } from 'zod';

const WHOLE = 'must be a whole number from 1 to 1000';

/** A dead-letter listing's `limit`: 1 to 1000, 100 when absent. */
export const deadLetterQuery = z.strictObject({
  limit: z.coerce.number({ message: WHOLE }).int(WHOLE).min(1, WHOLE).max(1000, WHOLE).default(100),
});

const pluginParams = z.strictObject({
  id: z.string().meta({ description: 'The plugin id', example: 'accounting' }),
});

const pluginStatus = z.object({
  id: z.string(),
  group: z.string(),
  ok: z.boolean(),
  state: z.enum(['registered', 'running', 'failed', 'stopped']),
  lag: z.number().nullable(),
  deadLetters: z.number().nullable(),
  sequenceGaps: z.number(),
  lastError: z.object({ message: z.string(), eventId: z.string(), at: z.string() }).nullable(),
});

const deadLetter = z.object({
  key: z.string().nullable(),
  value: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
  position: z.string(),
  eventId: z.string().optional(),
  type: z.string().optional(),
  reason: z.string().optional(),
  error: z.string().optional(),
  attempts: z.number(),
  failedAt: z.string().optional(),
});

const problem = (status: number, kind: string, title: string, detail: string) => ({
  description: detail,
  examples: { [kind]: { type: `${PROBLEM_TYPE}${kind}`, title, status, detail } },
});
const refusals = {
  401: problem(401, 'unauthorized', 'Unauthorized', 'The API key is not valid'),
  403: problem(403, 'forbidden', 'Forbidden', 'This API key lacks the scope plugins:admin'),
};
const noSuchPlugin = { 404: problem(404, 'not-found', 'Not Found', 'no plugin accounting') };

export const listPlugins = route({
  operationId: 'listPlugins',
  method: 'get',
  path: '/admin/plugins',
  scope: 'plugins:admin',
  summary: 'Every plugin: state, lag, dead letters, sequence gaps, last error',
  tags: ['admin'],
  responses: { 200: { description: 'The plugins', schema: z.object({ plugins: z.array(pluginStatus) }) } },
  problems: refusals,
});

export const listDeadLetters = route({
  operationId: 'listDeadLetters',
  method: 'get',
  path: '/admin/plugins/:id/dead-letters',
  scope: 'plugins:admin',
  summary: "A plugin's dead letters, oldest first",
  tags: ['admin'],
  params: pluginParams,
  query: deadLetterQuery,
  responses: {
    200: { description: 'The dead letters', schema: z.object({ deadLetters: z.array(deadLetter) }) },
  },
  problems: {
    400: problem(400, 'validation', 'Bad Request', 'The query is not valid'),
    ...refusals,
    ...noSuchPlugin,
  },
});

export const redriveDeadLetters = route({
  operationId: 'redriveDeadLetters',
  method: 'post',
  path: '/admin/plugins/:id/dead-letters/redrive',
  scope: 'plugins:admin',
  summary: "Hands a plugin's dead letters to it again",
  tags: ['admin'],
  params: pluginParams,
  responses: {
    200: {
      description: 'What the redrive did: handed over, handled, dead-lettered again',
      schema: z.object({ attempted: z.number(), redriven: z.number(), failed: z.number() }),
    },
  },
  problems: { ...refusals, ...noSuchPlugin },
});

export const ADMIN_ROUTES = [listPlugins, listDeadLetters, redriveDeadLetters] as const;

/** The admin surface as OpenAPI `paths`. */
export function adminOpenApiPaths(): Record<string, unknown> {
  return openApiPaths(ADMIN_ROUTES).paths;
}
