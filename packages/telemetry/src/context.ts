import { EventEmitter } from 'node:events';
import type { Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

const BOUND = Symbol('paystream.telemetry.boundContext');

/**
 * AsyncLocalStorage context, with a cheaper way to bind an EventEmitter to a context.
 *
 * The http instrumentation binds every request and response to the request's context, so that
 * what their listeners do (body parsing calling `next()`, `finish` handlers) stays in the request's
 * trace. The stock manager does that by replacing six listener methods on each emitter and
 * wrapping every listener added afterwards in a closure, with a map to find it again on removal:
 * in bench case 5 that was the largest single cost of telemetry on the gateway (about 100 µs per
 * create of sampled time, raw-body's and the gateway's own listeners included). Here the emitter's
 * `emit` runs in the context instead: every listener is called from it, so every listener sees the
 * same context as before, for one closure per emitter. The first binding wins, as with the stock
 * manager.
 */
export class EmitBindingContextManager extends AsyncLocalStorageContextManager {
  override bind<T>(context: Context, target: T): T {
    if (!(target instanceof EventEmitter)) return super.bind(context, target);
    const ee = target as EventEmitter & { [BOUND]?: true };
    if (ee[BOUND]) return target;
    ee[BOUND] = true;
    const emit = ee.emit;
    const manager = this;
    ee.emit = function emitInContext(this: EventEmitter, ...args: Parameters<EventEmitter['emit']>) {
      return manager.with(context, emit, this, ...args);
    } as EventEmitter['emit'];
    return target;
  }
}
