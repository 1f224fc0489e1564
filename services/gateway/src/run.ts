// The gateway as a process: configuration from the environment, then listen. No default API key.
import { closeOnSignals, loadConfigOrExit } from '@paystream/config';
import { createProcessLogger, startTelemetry } from '@paystream/telemetry';
import { startGateway } from './start.js';

// Started already when launched with `node --import @paystream/telemetry/register` (package.json
// `start`, `make start`): then this returns that setup; without it, tracing still works but ESM
// modules are not auto-instrumented.
const tracing = startTelemetry({ serviceName: 'paystream-gateway' });
const config = loadConfigOrExit();
const logger = createProcessLogger({ name: 'gateway', level: config.logLevel });
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

closeOnSignals(() => gateway.close().then(() => tracing.shutdown()), {
  timeoutMs: config.shutdownTimeoutMs,
  onSignal: (signal) => logger.info({ signal }, 'draining'),
});
