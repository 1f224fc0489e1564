// The plugin test kit: a devDependency of plugins, so their runtime depends on the SDK alone and
// their tests on this package alone (it brings the host, the bus and the database along).
export type { MakeEventsOptions } from '@paystream/bus/testing';
export { freePort, makeEvents, runId, waitFor } from '@paystream/bus/testing';
export type { Alertmanager, AmAlert } from './alertmanager.js';
export { startAlertmanager } from './alertmanager.js';
export type { OrderAttributes, Step } from './lifecycle.js';
export { lifecycle } from './lifecycle.js';
export type { LoggedLine, PublishedEvent, SentRequest } from './mocks.js';
export {
  mockConfig,
  mockHttpClient,
  mockLogger,
  mockMetrics,
  mockPublisher,
  mockScheduler,
  mockUpstream,
} from './mocks.js';
export type { OrderEventsOptions } from './order-events.js';
export { orderEvents } from './order-events.js';
export type { TestHost, TestHostOptions, TestResponse } from './test-host.js';
export { startTestHost } from './test-host.js';
