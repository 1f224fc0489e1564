import { paystreamVitest } from '../../vitest.shared.ts';

// One real Prometheus and one all-in-one for the integration suite; promtool runs beside them.
export default paystreamVitest(import.meta.dirname, { test: { testTimeout: 120_000 } });
