// Tests only (`@paystream/erp-webhook/testing`): an ERP endpoint on a free port that records every
// request and checks its Standard Webhooks signature with node:crypto, independently of the signer.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';

/** One request the test ERP received. */
export interface ReceivedDelivery {
  id: string;
  /** Whether `webhook-signature` holds v1 of HMAC-SHA256("id.timestamp.body") under the secret. */
  validSignature: boolean;
  /** What the test ERP answered. */
  status: number;
  body: {
    type: string;
    data: {
      entryId: string;
      outTradeNo: string;
      postings: { account: string; side: string; amount: string; currency: string }[];
    };
  };
}

/** Starts the test ERP; `answer(n)` decides the answer to the n-th request (1-based). */
export async function startTestErp(o: {
  /** The secret's key bytes (what follows `whsec_`, base64-decoded). */
  secretBytes: Buffer;
  answer?: (n: number) => { status: number; body?: string };
}) {
  const received: ReceivedDelivery[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      const mac = createHmac('sha256', o.secretBytes)
        .update(`${id}.${req.headers['webhook-timestamp']}.${raw}`)
        .digest('base64');
      const signatures = String(req.headers['webhook-signature'] ?? '').split(' ');
      const a = o.answer?.(received.length + 1) ?? { status: 200 };
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
    /** `whsec_…` for the plugin. */
    secret: `whsec_${o.secretBytes.toString('base64')}`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export type TestErp = Awaited<ReturnType<typeof startTestErp>>;
