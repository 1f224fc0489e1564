// The gateway's contract, generated from its route table (routes/table.ts): every path, scope,
// parameter, body and answer is the one the handlers validate and are typed by. packages/client
// lints it (redocly, recommended rules), validates it against the OpenAPI 3.1 schema, and
// generates its types from it.
import { jsonSchema, openApiPaths } from '@paystream/http-kit';
import { problemSchema } from './schemas.js';
import { GATEWAY_ROUTES } from './table.js';

/** The OpenAPI 3.1 document. */
export function openApiDocument(): Record<string, unknown> {
  const { paths, schemas } = openApiPaths(GATEWAY_ROUTES);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Paystream gateway',
      version: '1.0.0',
      description:
        'Payments through the aggregator. Money is a decimal string in major units plus an ISO currency. ' +
        'Errors are RFC 9457 `application/problem+json`; an upstream refusal carries the upstream `code`, ' +
        'its `category` and `retry` advice (`never`, `after_query`, `safe`). A 202 means the outcome is unknown.',
    },
    servers: [
      { url: 'http://127.0.0.1:8080', description: '`make start` (the all-in-one; PORT, default 8080)' },
    ],
    tags: [
      { name: 'payments', description: 'Payments and refunds, for internal services (API key with scopes)' },
      { name: 'notifications', description: "The aggregator's signed callback" },
      { name: 'operations', description: 'Probes, metrics and this document, for the platform team' },
    ],
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'Authorization: Bearer <api key>. Scopes: payments:read, payments:write, refunds:write.',
        },
      },
      schemas: {
        ...schemas,
        Problem: {
          ...jsonSchema(problemSchema),
          description:
            'RFC 9457 problem details; `operation` names the upstream call an upstream refusal came from, `reason` why a notification was refused.',
        },
      },
    },
    paths,
  };
}
