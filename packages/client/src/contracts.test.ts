// Both contracts lint clean (redocly, recommended rules, redocly.yaml at the root), validate
// against the OpenAPI 3.1 schema, and list for every operation what a client needs. The client's
// generated types match what the gateway serves at /openapi.json.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { committedContract, DOCUMENT_FILE, renderContract } from './__fixtures__/contract.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const REDOCLY = fileURLToPath(new URL('../node_modules/.bin/redocly', import.meta.url));
const UPSTREAM_FILE = `${ROOT}docs/upstream-api.openapi.yaml`;
const run = promisify(execFile);

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; message: string; location: { pointer?: string }[] }[];
}

/** redocly lint of one API of redocly.yaml; a non-zero exit still carries the JSON report. */
async function lint(api: string): Promise<LintReport> {
  const out = await run(REDOCLY, ['lint', api, '--format=json'], { cwd: ROOT }).catch(
    (err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }),
  );
  return JSON.parse(out.stdout) as LintReport;
}

const problems = (r: LintReport) =>
  r.problems.map((p) => `${p.ruleId}: ${p.message} ${p.location[0]?.pointer}`);

type Operation = {
  operationId?: string;
  summary?: string;
  security?: unknown[];
  requestBody?: { content: Record<string, { example?: unknown; examples?: unknown }> };
  responses: Record<
    string,
    {
      headers?: Record<string, unknown>;
      content?: Record<string, { schema?: { $ref?: string }; example?: unknown; examples?: unknown }>;
    }
  >;
};
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
function operations(doc: { paths: Record<string, Record<string, Operation>> }): [string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map(
      (m) => [`${m.toUpperCase()} ${path}`, item[m]!] as [string, Operation],
    ),
  );
}

describe('the contracts', () => {
  it('the gateway contract and the generated client types are what the gateway serves', async () => {
    const rendered = await renderContract();
    const committed = committedContract();
    // On a diff: `pnpm --filter @paystream/client generate`, review and commit.
    expect(committed.document).toBe(rendered.document);
    expect(committed.types).toBe(rendered.types);
  });

  it('both lint with no error and no warning (redocly, recommended rules)', async () => {
    const [gateway, upstream] = await Promise.all([lint('gateway@v1'), lint('upstream@v1')]);
    expect(problems(gateway)).toEqual([]);
    expect(problems(upstream)).toEqual([]);
    expect(gateway.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(upstream.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('both are valid OpenAPI 3.1', async () => {
    for (const file of [DOCUMENT_FILE, UPSTREAM_FILE]) {
      const validator = new Validator();
      const result = await validator.validate(file);
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
      expect(validator.version).toBe('3.1');
    }
  });

  it('the checks catch a broken document (the flow mapping that split a 201 in two)', async () => {
    const broken = readFileSync(UPSTREAM_FILE, 'utf8').replace(
      '        "201":\n          description: The armed fault, with its id.\n',
      '        "201": { description: The armed fault, with its id. }\n',
    );
    expect(broken).not.toBe(readFileSync(UPSTREAM_FILE, 'utf8'));
    const result = await new Validator().validate(broken);
    expect(result.valid).toBe(false);
  });

  it('every operation has an operationId, a summary, its security and examples', () => {
    const gateway = JSON.parse(readFileSync(DOCUMENT_FILE, 'utf8'));
    // The upstream document is YAML; the validator's parsed copy is the same tree.
    const validator = new Validator();
    return validator.validate(UPSTREAM_FILE).then(() => {
      const upstream = validator.resolveRefs() as unknown as typeof gateway;
      const all = [...operations(gateway), ...operations(upstream)];
      expect(all.length).toBeGreaterThan(15);
      const ids = new Set<string>();
      for (const [name, op] of all) {
        expect(op.operationId, name).toMatch(/^[a-zA-Z]+$/);
        expect(op.summary, name).toBeTruthy();
        ids.add(`${op.operationId}`);
        // Declared security: a scheme, or [] where the credential travels in a signed body.
        expect(Array.isArray(op.security ?? upstream.security), name).toBe(true);
        for (const media of Object.values(op.requestBody?.content ?? {})) {
          expect(media.example ?? media.examples, `${name} request`).toBeDefined();
        }
        for (const [status, response] of Object.entries(op.responses)) {
          for (const media of Object.values(response.content ?? {})) {
            expect(media.example ?? media.examples, `${name} ${status}`).toBeDefined();
          }
        }
      }
      expect(ids.size).toBe(all.length);
    });
  });

  it('every payment operation lists each status it can answer, problems as problem+json', () => {
    const doc = JSON.parse(readFileSync(DOCUMENT_FILE, 'utf8'));
    // What every payment operation can answer: the gateway's own refusals, the aggregator's
    // (422/502/504 from the catalog, and 503 for a create) and its failures (500).
    const common = ['200', '202', '400', '401', '403', '422', '500', '502', '504'];
    const write = [...common, '409', '413', '415'];
    const want: Record<string, string[]> = {
      createPayment: [...write, '201', '503'],
      getPayment: [...common, '404'],
      refundPayment: [...write, '201', '404'],
      cancelPayment: [...write, '404'],
      closePayment: [...write, '404'],
      receiveUpstreamNotification: ['200', '400', '401', '404', '413', '415', '500'],
    };
    const byId = new Map(operations(doc).map(([, op]) => [op.operationId!, op]));
    for (const [id, statuses] of Object.entries(want)) {
      const op = byId.get(id)!;
      expect(Object.keys(op.responses).sort(), id).toEqual([...statuses].sort());
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        expect(response.content?.['application/problem+json']?.schema?.$ref, `${id} ${status}`).toBe(
          '#/components/schemas/Problem',
        );
      }
      if (op.responses['409'] && id !== 'receiveUpstreamNotification') {
        expect(op.responses['409'].headers?.['Retry-After'], id).toBeDefined();
      }
    }
    expect(doc.components.schemas.Problem.properties.errors).toBeDefined();
    expect(byId.get('createPayment')!.responses['401']!.headers?.['WWW-Authenticate']).toBeDefined();
  });
});
