// The plugin test kit: a devDependency of plugins, so their runtime depends on the SDK alone and
// their tests on this package alone (it brings the host, the bus and the database along).
export type { MakeEventsOptions } from '@paystream/bus/testing';
export { freePort, makeEvents, runId, waitFor } from '@paystream/bus/testing';
export * from './alertmanager.js';
export * from './lifecycle.js';
export * from './mocks.js';
export * from './order-events.js';
export * from './test-host.js';
