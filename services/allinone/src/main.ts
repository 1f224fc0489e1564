// `make start`: reads the environment, runs everything, prints where to look.
import { closeOnSignals, loadConfigOrExit } from '@paystream/config';
import { startTracing } from '@paystream/telemetry';
import { pino } from 'pino';
import { startAllInOne } from './start.js';

const tracing = startTracing({ serviceName: 'paystream-allinone' });
const config = loadConfigOrExit();
const logger = pino({ name: 'paystream', level: config.logLevel });
const platform = await startAllInOne(config, logger);
console.info(platform.banner);

closeOnSignals(() => platform.close().then(() => tracing.shutdown()), {
  timeoutMs: config.shutdownTimeoutMs,
  onSignal: (signal) => logger.info({ signal }, 'shutting down: draining requests, flushing the outbox'),
});
