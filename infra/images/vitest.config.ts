import { paystreamVitest } from '../../vitest.shared.ts';

// The images are built once before the suites (integration/global-setup.ts): a few minutes on two
// cores, then containers that take seconds to start and drain.
export default paystreamVitest(import.meta.dirname, {
  test: {
    globalSetup: ['integration/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
  },
});
