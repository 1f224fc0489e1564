import type { FaultInput } from './faults.js';

/** What `POST /__sandbox/orders/{no}/pay` answered: its status and, when it sent one, the notify attempt. */
export interface PayAnswer {
  status: number;
  body: { notify?: { status?: number } } & Record<string, unknown>;
}

/** A typed client for the sandbox's `/__sandbox` controls, over HTTP, for tests and tools. */
export interface SandboxControls {
  /** Queues a fault; throws when the sandbox refuses it (unknown code, bad operation). */
  fault(input: FaultInput): Promise<void>;
  /** Removes every queued fault. */
  clearFaults(): Promise<void>;
  /** Simulates the customer paying; by default the sandbox then sends the signed notify. */
  pay(outTradeNo: string, body?: { notify?: boolean; late?: boolean }): Promise<PayAnswer>;
  /** Sends the order's last notify again, with the same notify_id; answers that attempt. */
  redeliverNotify(outTradeNo: string): Promise<{ status?: number; error?: string }>;
  /** The next `times` queries of the order answer it as it was created (pending, no refunds). */
  lagQueries(outTradeNo: string, times?: number): Promise<void>;
  /** The sandbox forgets the order, as if it had lost it (queries answer 31). */
  forget(outTradeNo: string): Promise<void>;
  /** The order as the sandbox holds it (its query view), or undefined when it has none. */
  order(outTradeNo: string): Promise<Record<string, unknown> | undefined>;
}

/** Drives a running sandbox's controls at `baseUrl`. */
export function sandboxControls(baseUrl: string): SandboxControls {
  const base = baseUrl.replace(/\/+$/, '');
  const orderPath = (outTradeNo: string) => `/__sandbox/orders/${encodeURIComponent(outTradeNo)}`;
  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  return {
    async fault(input) {
      const res = await post('/__sandbox/faults', input);
      if (res.status !== 201) throw new Error(`fault refused: ${res.status} ${await res.text()}`);
    },
    async clearFaults() {
      const res = await fetch(`${base}/__sandbox/faults`, { method: 'DELETE' });
      if (!res.ok) throw new Error(`clearing faults failed: ${res.status}`);
    },
    async pay(outTradeNo, body = {}) {
      const res = await post(`${orderPath(outTradeNo)}/pay`, body);
      return { status: res.status, body: (await res.json()) as PayAnswer['body'] };
    },
    async redeliverNotify(outTradeNo) {
      const res = await post(`${orderPath(outTradeNo)}/notify`, {});
      if (!res.ok) throw new Error(`redelivery refused: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { notify: { status?: number; error?: string } }).notify;
    },
    async lagQueries(outTradeNo, times = 1) {
      const res = await post(`${orderPath(outTradeNo)}/lag`, { times });
      if (res.status !== 204) throw new Error(`lag refused: ${res.status} ${await res.text()}`);
    },
    async forget(outTradeNo) {
      const res = await fetch(`${base}${orderPath(outTradeNo)}`, { method: 'DELETE' });
      if (res.status !== 204) throw new Error(`forget refused: ${res.status}`);
    },
    async order(outTradeNo) {
      const res = await fetch(`${base}${orderPath(outTradeNo)}`);
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`order lookup failed: ${res.status}`);
      return (await res.json()) as Record<string, unknown>;
    },
  };
}
