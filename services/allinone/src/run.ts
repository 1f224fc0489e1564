// `make start`: reads the environment, runs everything, prints where to look.
import { closeOnSignals, loadConfigOrExit } from '@paystream/config';
import { createProcessLogger, startTelemetry } from '@paystream/telemetry';
import { startAllInOne } from './start.js';

// Started already when launched with `node --import @paystream/telemetry/register` (package.json
// `start`, `make start`): then this returns that setup; without it, tracing still works but ESM
// modules are not auto-instrumented.
const tracing = startTelemetry({ serviceName: 'paystream-allinone' });
const config = loadConfigOrExit();
const logger = createProcessLogger({ name: 'paystream', level: config.logLevel });
const platform = await startAllInOne(config, logger);
console.info(platform.banner);

closeOnSignals(() => platform.close().then(() => tracing.shutdown()), {
  timeoutMs: config.shutdownTimeoutMs,
  onSignal: (signal) => logger.info({ signal }, 'shutting down: draining requests, flushing the outbox'),
});
