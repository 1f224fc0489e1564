import { EventEmitter } from 'node:events';
import { createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { EmitBindingContextManager } from './context.js';

const KEY = createContextKey('request');
const manager = new EmitBindingContextManager().enable();
const request = ROOT_CONTEXT.setValue(KEY, 'request');
const seen = () => manager.active().getValue(KEY) ?? 'none';

describe('EmitBindingContextManager', () => {
  it('runs every listener of a bound emitter in the bound context, whoever emits and whenever it was added', () => {
    const ee = new EventEmitter();
    const calls: unknown[] = [];
    ee.on('data', () => calls.push(['before', seen()]));
    manager.bind(request, ee);
    ee.once('data', () => calls.push(['once', seen()]));
    manager.with(ROOT_CONTEXT.setValue(KEY, 'elsewhere'), () => ee.emit('data'));
    ee.emit('data');
    expect(calls).toEqual([
      ['before', 'request'],
      ['once', 'request'],
      ['before', 'request'],
    ]);
  });

  it('keeps removeListener working and the first binding in force', () => {
    const ee = new EventEmitter();
    manager.bind(request, ee);
    manager.bind(ROOT_CONTEXT.setValue(KEY, 'second'), ee);
    const calls: unknown[] = [];
    const listener = () => calls.push(seen());
    ee.on('end', listener);
    ee.emit('end');
    ee.removeListener('end', listener);
    ee.emit('end');
    expect(calls).toEqual(['request']);
    expect(ee.listenerCount('end')).toBe(0);
  });

  it('binds functions as the stock manager does', () => {
    const bound = manager.bind(request, () => seen());
    expect(bound()).toBe('request');
  });
});
