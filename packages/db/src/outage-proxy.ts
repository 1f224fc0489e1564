// A loopback TCP proxy in front of a PostgreSQL server, for tests of what a process does while its
// database is unreachable: `cut()` closes every connection through it and refuses new ones (as a
// server restart or a failover does), `restore()` lets them through again.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface OutageProxy {
  /** The database URL, through the proxy. */
  readonly url: string;
  /** Closes every connection through the proxy and refuses new ones until `restore()`. */
  cut(): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

const listen = (server: Server, port: number) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
const stopListening = (server: Server) =>
  new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));

/** Starts a proxy to the server of `databaseUrl` (a postgres:// URL) on a free loopback port. */
export async function startOutageProxy(databaseUrl: string): Promise<OutageProxy> {
  const target = new URL(databaseUrl);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await listen(server, 0);
  const port = (server.address() as { port: number }).port;
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  const cut = async () => {
    const closed = stopListening(server);
    for (const s of sockets) s.destroy();
    await closed;
  };
  return {
    url: url.toString(),
    cut,
    restore: () => listen(server, port),
    close: cut,
  };
}
