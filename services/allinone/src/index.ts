export type { AllInOne } from './start.js';
export { DEFAULT_DEV_API_KEY, startAllInOne } from './start.js';
