import { paystreamVitest } from '../../vitest.shared.ts';

// The crash-point suite runs its cases concurrently, each with gateway processes of its own: four
// at a time keeps a two-core runner answering within the suite's upstream deadline.
export default paystreamVitest(import.meta.dirname, { test: { maxConcurrency: 4 } });
