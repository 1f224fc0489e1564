// Loaded with `node --import @paystream/telemetry/register <main>` before anything else. ESM on
// Node 24: `--import @opentelemetry/instrumentation/hook.mjs` alone instruments nothing; the loader
// hook has to be registered from code that then starts the SDK, before the application's modules
// (express, pg, kafkajs, pino) are imported. The SDK is imported only after the hook is in place.
//
// It runs before the entry point, so it checks Node.js first, as every entry point does: the SDK
// loads undici, which dies with a stack trace on another Node.js.
import { register } from 'node:module';
import { exitUnlessSupportedNode } from '@paystream/config/node-version';

exitUnlessSupportedNode();
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

const { servicePackage, startTelemetry } = await import('./sdk.js');
// The entry file's package names the service unless OTEL_SERVICE_NAME says otherwise.
const pkg = process.argv[1] ? servicePackage(process.argv[1]) : undefined;
startTelemetry({
  serviceName: pkg?.name ?? 'paystream',
  ...(pkg?.version ? { serviceVersion: pkg.version } : {}),
});
