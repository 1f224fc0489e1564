import { createServer } from 'node:net';

// Shipped with `./testing`, so it may not import the test kit (a devDependency): the operating
// system picks a port the Alertmanager harness then hands to a process of its own.
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
