// `make start`: reads the environment, runs everything, prints where to look.
import { ConfigError, loadConfig } from '@paystream/config';
import { startTracing } from '@paystream/telemetry';
import { pino } from 'pino';
import { startAllInOne } from './start.js';

const tracing = startTracing({ serviceName: 'paystream-allinone' });
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
const logger = pino({ name: 'paystream', level: config.logLevel });
const platform = await startAllInOne(config, logger);
console.info(platform.banner);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down: draining requests, flushing the outbox');
    const force = setTimeout(() => process.exit(1), config.shutdownTimeoutMs);
    force.unref();
    void platform
      .close()
      .then(() => tracing.shutdown())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
}
