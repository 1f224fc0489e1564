import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { makeEvents, runId } from '@paystream/plugin-host/testing';
import type { TypedEvent } from '@paystream/plugin-sdk';

export const SECRET_BYTES = Buffer.from('erp-test-secret-0123456789abcdef');
export const SECRET = `whsec_${SECRET_BYTES.toString('base64')}`;

/** created → succeeded (10.00 HKD) → refund.succeeded (3.00): what the gateway emits for the order. */
export function paidAndPartlyRefunded(outTradeNo = `ord-${runId()}`): TypedEvent[] {
  const base = { outTradeNo, amountMinor: 1000, currency: 'HKD' as const, wallet: 'WECHATHK' as const };
  const one = (
    type: 'payment.created' | 'payment.succeeded' | 'refund.succeeded',
    sequence: number,
    extra = {},
  ) => {
    const [e] = makeEvents({
      type,
      prefix: `${outTradeNo}.${sequence}`,
      data: { ...base, sequence, ...extra },
    });
    return { ...e!, subject: outTradeNo } as TypedEvent;
  };
  return [
    one('payment.created', 1),
    one('payment.succeeded', 2),
    one('refund.succeeded', 3, { refundNo: 'R1', refundAmountMinor: 300, refundedTotalMinor: 300 }),
  ];
}

/** One request the test ERP received, with its signature checked here (node:crypto, not the signer). */
export interface Received {
  id: string;
  validSignature: boolean;
  status: number;
  body: {
    type: string;
    data: {
      entryId: string;
      outTradeNo: string;
      postings: { account: string; side: string; amount: string }[];
    };
  };
}

/** A test ERP: answers `answer(n)` to the n-th request (1-based). */
export async function startErp(answer: (n: number) => { status: number; body?: string }) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      const ts = String(req.headers['webhook-timestamp']);
      const mac = createHmac('sha256', SECRET_BYTES).update(`${id}.${ts}.${raw}`).digest('base64');
      const signatures = String(req.headers['webhook-signature'] ?? '').split(' ');
      const a = answer(received.length + 1);
      received.push({
        id,
        validSignature: signatures.includes(`v1,${mac}`),
        status: a.status,
        body: JSON.parse(raw),
      });
      res.statusCode = a.status;
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/erp/journal`,
    received,
    close: () => new Promise((r) => server.close(r)),
  };
}
