// Runs the sandbox as a process: configuration from the environment only.
import { pino } from 'pino';
import { SANDBOX_DEV_CREDENTIALS, startSandbox } from './app.js';

const logger = pino({ name: 'upstream-sandbox' });
const port = Number(process.env.SANDBOX_PORT ?? 8081);
const sandbox = await startSandbox({
  port,
  host: process.env.SANDBOX_HOST ?? '127.0.0.1',
  credentials: {
    userConfirmKey: process.env.SANDBOX_USER_CONFIRM_KEY ?? SANDBOX_DEV_CREDENTIALS.userConfirmKey,
    privateKey: process.env.SANDBOX_PRIVATE_KEY ?? SANDBOX_DEV_CREDENTIALS.privateKey,
  },
  logger,
});
logger.info({ port: sandbox.port }, `upstream sandbox listening on ${sandbox.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sandbox.close().finally(() => process.exit(0));
  });
}
