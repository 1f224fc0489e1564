import type { BatchStatement, CloudEventEnvelope } from '@paystream/plugin-sdk';
import { describe, expect, it } from 'vitest';
import { pluginBatches } from './batches.js';

const statement = (name: string): BatchStatement => ({
  compile: () => ({ sql: name, parameters: [] }),
  toOperationNode: () => name,
});
const events = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `e${i}` }) as CloudEventEnvelope);

describe('pluginBatches', () => {
  it('keeps each batch to its transaction: rows, writes and outbox rows in the order queued', () => {
    const published: number[] = [];
    const b = pluginBatches('p', (topic, evs) => {
      published.push(evs.length);
      return statement(`outbox ${topic} ${evs.length}`);
    });
    const one = {} as never;
    const two = {} as never;
    b.open(one, { known: [{ id: 'x' }] });
    b.open(two, {});
    b.service.write(one, statement('a'));
    b.service.write(two, statement('other'));
    b.service.publish(one, 'ledger', events(1200));
    b.service.publish(one, 'ledger', []);
    b.service.write(one, statement('b'));
    expect(b.service.rows(one)).toEqual({ known: [{ id: 'x' }] });
    expect(b.close(one).map((s) => s.compile().sql)).toEqual([
      'a',
      'outbox ledger 500',
      'outbox ledger 500',
      'outbox ledger 200',
      'b',
    ]);
    expect(published).toEqual([500, 500, 200]);
    expect(b.close(two).map((s) => s.compile().sql)).toEqual(['other']);
  });

  it('refuses a transaction that is no batch under way, and reads declared twice', () => {
    const b = pluginBatches('p', () => statement('outbox'));
    const trx = {} as never;
    expect(() => b.service.write(trx, statement('a'))).toThrow(/plugin p: no batch under way/);
    b.open(trx, {});
    b.close(trx);
    expect(() => b.service.rows(trx)).toThrow(/no batch under way/);
    expect(b.reads([{}], trx)).toEqual({});
    b.service.reads((evs: readonly { id: string }[]) => ({ q: statement(evs.map((e) => e.id).join()) }));
    expect(() => b.service.reads(() => ({}))).toThrow(/declared once/);
    expect(b.reads([{ id: 'a' }, { id: 'b' }], trx).q!.compile().sql).toBe('a,b');
    // No events, no reads.
    expect(b.reads([], trx)).toEqual({});
  });
});
