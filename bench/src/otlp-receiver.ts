// A local OTLP/HTTP receiver (http/protobuf, the default, or http/json): accepts what a collector
// would and counts it, so telemetry's cost is measured with its export really happening, and the
// figure shows spans did arrive.
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

/** One protobuf field: its number, and its bytes when length-delimited (wire type 2). */
function* fields(buf: Buffer, from = 0, to = buf.length): Generator<{ no: number; body?: Buffer }> {
  let i = from;
  const varint = () => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = buf[i++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
  };
  while (i < to) {
    const tag = varint();
    const no = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) varint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) {
      const len = varint();
      yield { no, body: buf.subarray(i, i + len) };
      i += len;
      continue;
    } else throw new Error(`protobuf wire type ${wire} not expected in OTLP`);
    yield { no };
  }
}

/**
 * Spans in an ExportTraceServiceRequest: resource_spans (1) → scope_spans (2) → spans (2), the
 * field numbers of opentelemetry-proto's trace.proto.
 */
export function countProtobufSpans(body: Buffer): number {
  let n = 0;
  for (const rs of fields(body))
    if (rs.no === 1 && rs.body)
      for (const ss of fields(rs.body))
        if (ss.no === 2 && ss.body) for (const sp of fields(ss.body)) if (sp.no === 2) n++;
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
      if (req.url === '/v1/traces') {
        try {
          spans += String(req.headers['content-type']).includes('json')
            ? countSpans(JSON.parse(body.toString('utf8')) as TracesRequest)
            : countProtobufSpans(body);
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
