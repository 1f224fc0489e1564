// Records every operation of a run and every HTTP attempt behind it. The client's `fetch` option
// is wrapped, and the operation an attempt belongs to travels with it in AsyncLocalStorage, so
// retries the client makes on its own are recorded under the call that made them.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Attempt, Operation } from '../history.js';

export class Recorder {
  readonly operations: Operation[] = [];
  readonly attempts: Attempt[] = [];
  private readonly current = new AsyncLocalStorage<number>();
  private nextId = 1;

  /** A fetch for the client that records each attempt under the running operation. */
  readonly fetch = async (request: Request): Promise<Response> => {
    const operation = this.current.getStore() ?? 0;
    const at = Date.now();
    const path = new URL(request.url).pathname;
    try {
      const res = await fetch(request);
      this.attempts.push({
        operation,
        at,
        method: request.method,
        path,
        status: res.status,
        ms: Date.now() - at,
      });
      return res;
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      this.attempts.push({ operation, at, method: request.method, path, error, ms: Date.now() - at });
      throw err;
    }
  };

  /**
   * Runs `work` as one operation and records it with what `work` returns as its answer; a throw is
   * recorded as an `error` answer and swallowed (a caller that got no answer moves on).
   */
  async record(
    start: Omit<Operation, 'id' | 'startedAt' | 'endedAt' | 'outcome'>,
    work: () => Promise<Pick<Operation, 'outcome' | 'status' | 'body' | 'attempts'>>,
  ): Promise<Operation> {
    const id = this.nextId++;
    const startedAt = Date.now();
    let answer: Pick<Operation, 'outcome' | 'status' | 'body' | 'attempts'>;
    try {
      answer = await this.current.run(id, work);
    } catch (err) {
      answer = { outcome: 'error', body: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
    }
    const op: Operation = { ...start, id, startedAt, endedAt: Date.now(), ...answer };
    this.operations.push(op);
    return op;
  }
}
