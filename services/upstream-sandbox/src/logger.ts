import type { Logger } from '@paystream/logger';

/** The sandbox's logger (the one Logger contract); it logs codes and order numbers, never request bodies. */
export type SandboxLogger = Logger;
