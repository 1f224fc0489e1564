export type { Anomaly, AnomalyKind } from './checker/anomaly.js';
export { ANOMALY_KINDS } from './checker/anomaly.js';
export type { CheckOptions, CheckResult } from './checker/check.js';
export { checkHistory } from './checker/check.js';
export { formatCheck } from './checker/report.js';
export type * from './history.js';
export type { ChaosRunOptions, ChaosRunResult } from './run.js';
export { FAULT_KINDS, runChaos } from './run.js';
