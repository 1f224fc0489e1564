// Renders the gateway's contract as the client commits it: the OpenAPI document the gateway
// serves at /openapi.json (linted by redocly.yaml) and the TypeScript types generated from it.
// `pnpm --filter @paystream/client generate` writes both; contracts.test.ts fails on any diff.
// Only package imports here: node runs this file directly (type stripping) to write the files.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '@paystream/gateway';
import openapiTS, { astToString } from 'openapi-typescript';

export const DOCUMENT_FILE = fileURLToPath(new URL('../../openapi/gateway.openapi.json', import.meta.url));
export const TYPES_FILE = fileURLToPath(new URL('../generated/gateway.ts', import.meta.url));

const HEADER =
  "// Generated from the gateway's /openapi.json by openapi-typescript: do not edit.\n" +
  '// Regenerate with `pnpm --filter @paystream/client generate`.\n\n';

/** The document and the generated types, as they must be committed. */
export async function renderContract(): Promise<{ document: string; types: string }> {
  const doc = openApiDocument();
  const document = `${JSON.stringify(doc, null, 2)}\n`;
  const ast = await openapiTS(doc as unknown as Parameters<typeof openapiTS>[0], { exportType: false });
  return { document, types: `${HEADER}${astToString(ast)}` };
}

/** What is committed now. */
export function committedContract(): { document: string; types: string } {
  return { document: readFileSync(DOCUMENT_FILE, 'utf8'), types: readFileSync(TYPES_FILE, 'utf8') };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { document, types } = await renderContract();
  writeFileSync(DOCUMENT_FILE, document);
  writeFileSync(TYPES_FILE, types);
  console.info(`wrote ${DOCUMENT_FILE} and ${TYPES_FILE}`);
}
