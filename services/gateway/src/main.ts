// The gateway as a process: configuration from the environment, then listen. No default API key.
import { ConfigError, loadConfig } from '@paystream/config';
import { startTracing } from '@paystream/telemetry';
import { pino } from 'pino';
import { startGateway } from './start.js';

const tracing = startTracing({ serviceName: 'paystream-gateway' });
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}
const logger = pino({ name: 'gateway', level: config.logLevel });
const { baseUrl, userConfirmKey, privateKey } = config.upstream;
if (!baseUrl || !userConfirmKey || !privateKey) {
  console.error(
    'invalid configuration:\n  UPSTREAM_BASE_URL: is required for the standalone gateway (the all-in-one bundles a sandbox)',
  );
  process.exit(2);
}
const gateway = await startGateway({
  config,
  upstreamBaseUrl: baseUrl,
  upstreamCredentials: { userConfirmKey, privateKey },
  logger,
});
logger.info({ url: gateway.url }, 'gateway listening');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'draining');
    const force = setTimeout(() => process.exit(1), config.shutdownTimeoutMs);
    force.unref();
    void gateway
      .close()
      .then(() => tracing.shutdown())
      .finally(() => process.exit(0));
  });
}
