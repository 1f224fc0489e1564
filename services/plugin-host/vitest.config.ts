import { paystreamVitest } from '../../vitest.shared.ts';

export default paystreamVitest(import.meta.dirname);
