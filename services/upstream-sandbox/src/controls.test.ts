// The sandbox's own controls and its answers to malformed calls, through supertest.
import { catalog } from '@paystream/codes';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createSandboxApp } from './app.js';

describe('sandbox controls', () => {
  const app = createSandboxApp();

  it('answers /healthz', async () => {
    await request(app).get('/healthz').expect(200, { status: 'ok' });
  });

  it('accepts any catalog code as a fault, and lists and clears faults', async () => {
    for (const code of new Set(catalog.map((e) => e.code))) {
      await request(app).post('/__sandbox/faults').send({ code, operation: 'query', times: 2 }).expect(201);
    }
    const list = await request(app).get('/__sandbox/faults').expect(200);
    expect(list.body.faults).toHaveLength(62);
    await request(app).delete('/__sandbox/faults').expect(204);
    expect((await request(app).get('/__sandbox/faults')).body.faults).toEqual([]);
  });

  it('refuses a fault that is not in the catalog or has unknown fields, naming the field', async () => {
    const bad = await request(app).post('/__sandbox/faults').send({ code: '99' }).expect(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body.errors[0].field).toBe('code');
    const extra = await request(app).post('/__sandbox/faults').send({ code: '64', when: 'now' }).expect(400);
    expect(extra.body.errors.length).toBeGreaterThan(0);
    await request(app).post('/__sandbox/faults').send({}).expect(400);
  });

  it('answers a fault code on the next matching call only, `times` times', async () => {
    await request(app).post('/__sandbox/faults').send({ code: '64', operation: 'refund' }).expect(201);
    // A query does not consume a refund fault.
    const query = await request(app).post('/v1/trade/query').send('{}');
    expect(query.body.code).toBe('11');
    const refund = await request(app).post('/v1/trade/refund').send('{}');
    expect(refund.body).toMatchObject({ code: '64' });
    expect((await request(app).post('/v1/trade/refund').send('{}')).body.code).toBe('11');
  });

  it('answers -13 to a body that is not a JSON object, whatever the content type', async () => {
    for (const body of ['not json', '[1,2]', '']) {
      const res = await request(app).post('/v1/trade/create').set('content-type', 'text/plain').send(body);
      expect(res.status).toBe(200);
      expect(res.body.code).toBe('-13');
    }
  });

  it('404s an unknown operation and an unknown order', async () => {
    await request(app).post('/v1/trade/void').send('{}').expect(404);
    await request(app).get('/__sandbox/orders/none').expect(404);
  });
});
