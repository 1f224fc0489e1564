// Runs the sandbox as a process: configuration from the environment only.
import { createLogger } from '@paystream/logger';
import { SANDBOX_DEV_CREDENTIALS, startSandbox } from './app.js';

const logger = createLogger({ name: 'upstream-sandbox', level: process.env.LOG_LEVEL ?? 'info' });
const port = Number(process.env.SANDBOX_PORT ?? 8081);
const latencyMs = Number(process.env.SANDBOX_LATENCY_MS ?? 0);
if (!Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > 120_000) {
  console.error('invalid configuration:\n  SANDBOX_LATENCY_MS: must be an integer from 0 to 120000');
  process.exit(2);
}
const sandbox = await startSandbox({
  port,
  host: process.env.SANDBOX_HOST ?? '127.0.0.1',
  credentials: {
    userConfirmKey: process.env.SANDBOX_USER_CONFIRM_KEY ?? SANDBOX_DEV_CREDENTIALS.userConfirmKey,
    privateKey: process.env.SANDBOX_PRIVATE_KEY ?? SANDBOX_DEV_CREDENTIALS.privateKey,
  },
  latencyMs,
  logger,
});
logger.info({ port: sandbox.port, latencyMs }, `upstream sandbox listening on ${sandbox.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sandbox.close().finally(() => process.exit(0));
  });
}
