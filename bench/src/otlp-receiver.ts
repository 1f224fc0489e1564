// A local OTLP/HTTP receiver (JSON, as @opentelemetry/exporter-*-otlp-http sends): accepts what
// a collector would and counts it, so telemetry's cost is measured with its export really
// happening, and the figure shows spans did arrive.
import { createServer, type Server } from 'node:http';

export interface OtlpReceiver {
  url: string;
  counts(): { requests: number; bytes: number; spans: number };
  close(): Promise<void>;
}

interface TracesRequest {
  resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[];
}

export function countSpans(body: TracesRequest): number {
  let n = 0;
  for (const rs of body.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
  return n;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  let requests = 0;
  let bytes = 0;
  let spans = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests++;
      bytes += body.length;
      if (req.url === '/v1/traces' && String(req.headers['content-type']).includes('json')) {
        try {
          spans += countSpans(JSON.parse(body.toString('utf8')) as TracesRequest);
        } catch {
          // counted as bytes only
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => ({ requests, bytes, spans }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
