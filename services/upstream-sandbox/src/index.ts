export type { RunningSandbox, Sandbox, SandboxOptions, StartSandboxOptions } from './app.js';
export { createSandbox, createSandboxApp, SANDBOX_DEV_CREDENTIALS, startSandbox } from './app.js';
export type { PayAnswer, SandboxControls } from './control-client.js';
export { sandboxControls } from './control-client.js';
export type { Fault, FaultInput } from './faults.js';
export { FaultQueue, faultSchema } from './faults.js';
export type { SandboxLogger } from './logger.js';
export type { NotifyAttempt, SandboxMerchant, SandboxOrder, SandboxRefund } from './state.js';
export { SandboxState } from './state.js';
