import { paystreamVitest } from '../../vitest.shared.ts';

// One suite at a time: each copies the checkout and runs pnpm and turbo in it, and two installs
// into the shared store at once, on this machine's two cores, were seen to stall.
export default paystreamVitest(import.meta.dirname, { test: { fileParallelism: false } });
