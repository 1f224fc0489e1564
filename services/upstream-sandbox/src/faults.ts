import { isStatusCode, OPERATIONS, type Operation } from '@paystream/codes';
import { z } from 'zod';

export const faultSchema = z
  .object({
    code: z.string().refine(isStatusCode, { message: 'must be a code of the catalog' }).optional(),
    operation: z.enum(OPERATIONS).optional(),
    times: z.number().int().min(1).max(10_000).default(1),
    message: z.string().max(500).optional(),
    delayMs: z.number().int().min(0).max(120_000).optional(),
    timeout: z.boolean().optional(),
    apply: z.boolean().optional(),
  })
  .strict()
  .refine((f) => f.code !== undefined || f.delayMs !== undefined || f.timeout === true, {
    message: 'give at least one of code, delayMs, timeout',
  });

export type FaultInput = z.input<typeof faultSchema>;
export type Fault = z.output<typeof faultSchema> & { id: number };

/**
 * Codes whose real-world meaning is "it was done, but the answer went wrong": by default the
 * sandbox performs the operation before answering them, as the aggregator would.
 */
const DONE_DESPITE_CODE = new Set(['52']);

/** Whether a fault lets the operation take effect before its answer is replaced. */
export function faultApplies(fault: Fault): boolean {
  if (fault.code === undefined) return true;
  return fault.apply ?? DONE_DESPITE_CODE.has(fault.code);
}

/** Armed faults, matched in the order they were added. */
export class FaultQueue {
  private faults: Fault[] = [];
  private nextId = 1;

  add(input: z.output<typeof faultSchema>): Fault {
    const fault = { ...input, id: this.nextId++ };
    this.faults.push(fault);
    return fault;
  }

  /**
   * Consumes one use of the first fault that matches the operation. A fault without an operation
   * matches any API call but never the notify callback, which only a `notify` fault spoils.
   */
  take(operation: Operation): Fault | undefined {
    const index = this.faults.findIndex((f) =>
      f.operation === undefined ? operation !== 'notify' : f.operation === operation,
    );
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    fault.times -= 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return fault;
  }

  list(): readonly Fault[] {
    return this.faults;
  }

  clear(): void {
    this.faults = [];
  }
}
