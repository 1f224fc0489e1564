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
  pay(outTradeNo: string, body?: { notify?: boolean }): Promise<PayAnswer>;
}

/** Drives a running sandbox's controls at `baseUrl`. */
export function sandboxControls(baseUrl: string): SandboxControls {
  const base = baseUrl.replace(/\/+$/, '');
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
      const res = await post(`/__sandbox/orders/${encodeURIComponent(outTradeNo)}/pay`, body);
      return { status: res.status, body: (await res.json()) as PayAnswer['body'] };
    },
  };
}
