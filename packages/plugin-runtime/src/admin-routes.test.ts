import type { AnswerOf } from '@paystream/http-kit';
import { describe, expect, it } from 'vitest';
import { adminOpenApiPaths, type listPlugins, redriveDeadLetters } from './admin-routes.js';

describe('the admin route table', () => {
  it('documents every admin route with its scope and answers', () => {
    const paths = adminOpenApiPaths() as Record<
      string,
      Record<string, { operationId: string; security: unknown }>
    >;
    expect(Object.keys(paths)).toEqual([
      '/admin/plugins',
      '/admin/plugins/{id}/dead-letters',
      '/admin/plugins/{id}/dead-letters/redrive',
    ]);
    expect(paths['/admin/plugins/{id}/dead-letters/redrive']!.post!.security).toEqual([
      { apiKey: ['plugins:admin'] },
    ]);
    expect(Object.keys(redriveDeadLetters.responses)).toEqual(['200']);
  });

  it('types the answers', () => {
    // @ts-expect-error the listing is `{ plugins }`, nothing else
    const extra: AnswerOf<typeof listPlugins> = { status: 200, body: { plugins: [], more: true } };
    expect(extra.status).toBe(200);
  });
});
