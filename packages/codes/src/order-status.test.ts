import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES, UPSTREAM_ORDER_STATUS } from './order-status.js';

describe('order statuses', () => {
  it('hold every status the aggregator reports, each once', () => {
    for (const status of Object.values(UPSTREAM_ORDER_STATUS)) expect(ORDER_STATUSES).toContain(status);
    expect(new Set(ORDER_STATUSES).size).toBe(ORDER_STATUSES.length);
  });

  it('name each wire status by its lower-case form', () => {
    for (const [wire, status] of Object.entries(UPSTREAM_ORDER_STATUS))
      expect(status).toBe(wire.toLowerCase());
  });
});
