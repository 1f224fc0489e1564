// Runs the sandbox as a process: configuration from the environment only.
import { loadSandboxConfigOrExit } from '@paystream/config';
import { createLogger } from '@paystream/logger';
import { SANDBOX_DEV_CREDENTIALS, startSandbox } from './app.js';

const config = loadSandboxConfigOrExit();
const logger = createLogger({ name: 'upstream-sandbox', level: config.logLevel });
const sandbox = await startSandbox({
  port: config.port,
  host: config.host,
  credentials: {
    userConfirmKey: config.credentials.userConfirmKey ?? SANDBOX_DEV_CREDENTIALS.userConfirmKey,
    privateKey: config.credentials.privateKey ?? SANDBOX_DEV_CREDENTIALS.privateKey,
  },
  latencyMs: config.latencyMs,
  logger,
});
logger.info(
  { port: sandbox.port, latencyMs: config.latencyMs },
  `upstream sandbox listening on ${sandbox.url}`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sandbox.close().finally(() => process.exit(0));
  });
}
