// The one public address of a gateway fleet, as a load balancer gives it: callers' API requests go
// round robin to the gateways in rotation, and the aggregator's notify callbacks (every gateway
// gives the sandbox this address as its notify URL) go round robin too, unless a test pinned the
// order (or the next callback) to a gateway. Bodies are forwarded byte for byte: the gateway
// verifies a notify's signature on the raw bytes.
//
// A gateway taken out of rotation (a deployment stopping it) gets nothing new. A connection the
// target refuses (a gateway killed, or restarting) is tried on the next gateway: nothing was sent,
// so that is safe for any request. Any other failure is a 502 and the caller retries, as it would
// behind a real load balancer.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

const NOTIFY_PATH = '/v1/notifications/';

export interface NotifyDelivery {
  /** The order the callback is about, when its body names one. */
  outTradeNo: string | undefined;
  /** Index of the gateway it went to. */
  gateway: number;
  /** The gateway's answer, or why there was none. */
  status?: number;
  error?: string;
}

/** What the proxy did, for a run's report. */
export interface ProxyCounts {
  /** API requests forwarded, per gateway index. */
  requests: number[];
  /** Notify callbacks forwarded, per gateway index. */
  notifies: number[];
  /** Attempts refused by a gateway and sent to the next one. */
  failovers: number;
  /** Requests answered 502 because no gateway could take them. */
  failed: number;
}

export interface FleetProxy {
  readonly url: string;
  /** Where the proxy forwards to (index = gateway number); set once the gateways listen. */
  setTargets(urls: readonly string[]): void;
  /** Puts gateway `index` in rotation at `url`, or takes it out (undefined). */
  setTarget(index: number, url: string | undefined): void;
  /** Every callback of this order goes to `gateway`. */
  pin(outTradeNo: string, gateway: number): void;
  /** The next callback of an order that is not pinned goes to `gateway` (queued, in order). */
  pinNext(gateway: number): void;
  /** Every callback forwarded so far, in arrival order. */
  readonly deliveries: readonly NotifyDelivery[];
  counts(): ProxyCounts;
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

const REFUSED = new Set(['ECONNREFUSED']);

/** Starts the proxy on a loopback port of this process (`port` 0: any free one). */
export async function startFleetProxy(port = 0): Promise<FleetProxy> {
  let targets: (string | undefined)[] = [];
  const pins = new Map<string, number>();
  const next: number[] = [];
  const deliveries: NotifyDelivery[] = [];
  const counts: ProxyCounts = { requests: [], notifies: [], failovers: 0, failed: 0 };
  let turn = 0;

  /** The next gateway in rotation after the last one picked, skipping `tried`. */
  const roundRobin = (tried: ReadonlySet<number>): number | undefined => {
    for (let i = 0; i < targets.length; i++) {
      const index = turn++ % targets.length;
      if (targets[index] !== undefined && !tried.has(index)) return index;
    }
    return undefined;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const isNotify = (req.url ?? '').startsWith(NOTIFY_PATH);
      const outTradeNo = isNotify ? outTradeNoOf(body) : undefined;
      const pinned = outTradeNo === undefined ? undefined : pins.get(outTradeNo);
      const first = isNotify ? (pinned ?? next.shift()) : undefined;
      const delivery: NotifyDelivery | undefined = isNotify ? { outTradeNo, gateway: -1 } : undefined;
      if (delivery) deliveries.push(delivery);
      const tried = new Set<number>();
      const { host: _host, 'transfer-encoding': _te, connection: _c, ...headers } = req.headers;

      const attempt = (gateway: number | undefined) => {
        const target = gateway === undefined ? undefined : targets[gateway];
        if (gateway === undefined || target === undefined) {
          counts.failed += 1;
          if (delivery) delivery.error = 'no gateway in rotation';
          res.writeHead(502).end();
          return;
        }
        tried.add(gateway);
        const tally = isNotify ? counts.notifies : counts.requests;
        tally[gateway] = (tally[gateway] ?? 0) + 1;
        if (delivery) delivery.gateway = gateway;
        const forward = request(
          new URL(req.url ?? '/', target),
          {
            method: req.method,
            headers: { ...headers, 'content-length': String(body.length), connection: 'close' },
            agent: false,
          },
          (answer) => {
            if (delivery) delivery.status = answer.statusCode;
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on('error', (err: NodeJS.ErrnoException) => {
          // Refused: the gateway is down and got nothing. A pinned notify waits for no one either.
          if (REFUSED.has(err.code ?? '') && !res.headersSent) {
            const again = roundRobin(tried);
            if (again !== undefined) {
              counts.failovers += 1;
              attempt(again);
              return;
            }
          }
          counts.failed += 1;
          if (delivery) delivery.error = err.message;
          if (!res.headersSent) res.writeHead(502);
          res.end();
        });
        forward.end(body);
      };
      attempt(first !== undefined && targets[first] !== undefined ? first : roundRobin(tried));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${address.port}`,
    deliveries,
    setTargets(urls) {
      targets = [...urls];
    },
    setTarget(index, url) {
      targets[index] = url;
    },
    pin(outTradeNo, gateway) {
      pins.set(outTradeNo, gateway);
    },
    pinNext(gateway) {
      next.push(gateway);
    },
    counts: () => ({
      ...counts,
      requests: [...counts.requests],
      notifies: [...counts.notifies],
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
