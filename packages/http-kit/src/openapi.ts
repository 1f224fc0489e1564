// OpenAPI 3.1 from a route table: the paths, parameters, bodies and answers a surface serves are
// the ones its handlers validate and are typed by.
import { z } from 'zod';
import type { ProblemSpec, ResponseSpec, RouteSpec } from './route.js';

type Json = Record<string, unknown>;

/** A zod schema as JSON Schema, as a client sends it (`io: 'input'`). */
export const jsonSchema = (schema: z.ZodType): Json =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;

const withExamples = (examples: Readonly<Record<string, unknown>> | undefined): Json =>
  examples
    ? { examples: Object.fromEntries(Object.entries(examples).map(([k, value]) => [k, { value }])) }
    : {};

function response(spec: ResponseSpec, components: Json): Json {
  let schema = jsonSchema(spec.schema);
  if (spec.ref) {
    components[spec.ref] ??= schema;
    schema = { $ref: `#/components/schemas/${spec.ref}` };
  }
  return {
    description: spec.description,
    ...(spec.headers ? { headers: spec.headers } : {}),
    content: { [spec.contentType ?? 'application/json']: { schema, ...withExamples(spec.examples) } },
  };
}

function problem(spec: ProblemSpec): Json {
  return {
    description: spec.description,
    ...(spec.headers ? { headers: spec.headers } : {}),
    content: {
      'application/problem+json': {
        schema: { $ref: '#/components/schemas/Problem' },
        ...withExamples(spec.examples),
      },
    },
  };
}

/** The path parameters of a route, described from its params schema. */
function pathParameters(spec: RouteSpec): Json[] {
  const shape = (spec.params as { shape?: Record<string, z.ZodType> } | undefined)?.shape ?? {};
  return Object.entries(shape).map(([name, schema]) => {
    const json = z.toJSONSchema(schema) as Json;
    return {
      name,
      in: 'path',
      required: true,
      ...(json.description ? { description: json.description } : {}),
      schema: json,
      ...(json.example !== undefined ? { example: json.example } : {}),
    };
  });
}

/** One operation object; `components` collects the named response schemas. */
export function openApiOperation(spec: RouteSpec, components: Json): Json {
  const scopes = spec.scope === null ? [] : typeof spec.scope === 'string' ? [spec.scope] : spec.scope;
  const parameters = [...pathParameters(spec), ...(spec.headers ?? [])];
  const body = spec.requestBody;
  const responses: Json = {};
  const statuses = new Set([
    ...Object.keys(spec.responses).map(Number),
    ...Object.keys(spec.problems ?? {}).map(Number),
  ]);
  for (const status of [...statuses].sort((a, b) => a - b)) {
    const ok = spec.responses[status];
    const refused = spec.problems?.[status];
    responses[String(status)] = ok ? response(ok, components) : problem(refused!);
  }
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: spec.tags,
    security: spec.scope === null ? [] : [{ apiKey: scopes }],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body
      ? {
          requestBody: {
            required: body.required,
            ...(body.description ? { description: body.description } : {}),
            content: {
              'application/json': {
                schema: body.schema ?? (spec.body ? jsonSchema(spec.body) : { type: 'object' }),
                ...(body.example !== undefined ? { example: body.example } : {}),
              },
            },
          },
        }
      : {}),
    responses,
  };
}

/** The `paths` of a route table, and the response schemas it names. */
export function openApiPaths(routes: readonly RouteSpec[]): { paths: Json; schemas: Json } {
  const paths: Record<string, Json> = {};
  const schemas: Json = {};
  for (const spec of routes) {
    const path = spec.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    paths[path] = { ...paths[path], [spec.method]: openApiOperation(spec, schemas) };
  }
  return { paths, schemas };
}
