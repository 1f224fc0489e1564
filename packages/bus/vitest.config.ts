import { paystreamVitest } from '../../vitest.shared.ts';

// Broker suites share one JVM on two cores: run files one at a time.
export default paystreamVitest(import.meta.dirname, {
  test: { globalSetup: ['integration/global-setup.ts'], fileParallelism: false, testTimeout: 120_000 },
});
