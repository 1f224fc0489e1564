// The one public URL of a gateway fleet, as the aggregator sees it: every gateway gives the
// sandbox this proxy's address as its notify URL, and the proxy hands each callback to one
// gateway, round robin unless a test pinned the order (or the next callback) to a gateway. The
// body is forwarded byte for byte: the gateway verifies its signature on the raw bytes.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface NotifyDelivery {
  /** The order the callback is about, when its body names one. */
  outTradeNo: string | undefined;
  /** Index of the gateway it went to. */
  gateway: number;
  /** The gateway's answer, or why there was none. */
  status?: number;
  error?: string;
}

export interface NotifyProxy {
  readonly url: string;
  /** Where the proxy forwards to (index = gateway number); set once the gateways listen. */
  setTargets(urls: readonly string[]): void;
  /** Every callback of this order goes to `gateway`. */
  pin(outTradeNo: string, gateway: number): void;
  /** The next callback of an order that is not pinned goes to `gateway` (queued, in order). */
  pinNext(gateway: number): void;
  /** Every callback forwarded so far, in arrival order. */
  readonly deliveries: readonly NotifyDelivery[];
  close(): Promise<void>;
}

function outTradeNoOf(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { out_trade_no?: unknown };
    return typeof parsed.out_trade_no === 'string' ? parsed.out_trade_no : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the proxy on a loopback port of this process. */
export async function startNotifyProxy(): Promise<NotifyProxy> {
  let targets: readonly string[] = [];
  const pins = new Map<string, number>();
  const next: number[] = [];
  const deliveries: NotifyDelivery[] = [];
  let turn = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const outTradeNo = outTradeNoOf(body);
      const pinned = outTradeNo === undefined ? undefined : pins.get(outTradeNo);
      const gateway = pinned ?? next.shift() ?? turn++ % targets.length;
      const delivery: NotifyDelivery = { outTradeNo, gateway };
      deliveries.push(delivery);
      const target = new URL(req.url ?? '/', targets[gateway]);
      const { host: _host, 'transfer-encoding': _te, ...headers } = req.headers;
      const forward = request(
        target,
        { method: req.method, headers: { ...headers, 'content-length': String(body.length) } },
        (answer) => {
          delivery.status = answer.statusCode;
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', (err) => {
        delivery.error = err.message;
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    setTargets(urls) {
      targets = [...urls];
    },
    pin(outTradeNo, gateway) {
      pins.set(outTradeNo, gateway);
    },
    pinNext(gateway) {
      next.push(gateway);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
