// One vitest configuration for every package: tests beside the code (src/**/*.test.ts) and
// broker/database suites in integration/. When PAYSTREAM_REPORT_DIR is set (make test), each
// package also writes a JSON report that scripts/test-summary.mjs adds up.
import { basename } from 'node:path';
import { defineConfig, mergeConfig, type ViteUserConfig } from 'vitest/config';

export function paystreamVitest(packageDir: string, overrides: ViteUserConfig = {}): ViteUserConfig {
  const reportDir = process.env.PAYSTREAM_REPORT_DIR;
  const name = basename(packageDir);
  const base = defineConfig({
    test: {
      name,
      root: packageDir,
      include: ['src/**/*.test.ts', 'integration/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 120_000,
      pool: 'forks',
      reporters: reportDir ? ['default', 'json'] : ['default'],
      outputFile: reportDir ? { json: `${reportDir}/${name}.json` } : undefined,
      passWithNoTests: false,
    },
  });
  return mergeConfig(base, overrides);
}
