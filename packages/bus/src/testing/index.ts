export type { PrivateBroker } from './broker.js';
export { kafkaControl, kafkaScript, kafkaTestBrokers, startPrivateBroker } from './broker.js';
export type { MakeEventsOptions } from './events.js';
export { expectedSequences, makeEvents, runId, uniqueTopic } from './events.js';
export type { GapReport } from './gap-checker.js';
export { GapChecker } from './gap-checker.js';
export { freePort } from './port.js';
export { waitFor } from './wait.js';
