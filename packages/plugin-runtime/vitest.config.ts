import { fileURLToPath } from 'node:url';
import { paystreamVitest } from '../../vitest.shared.ts';

// The plugin test kit depends on this package, so it cannot be a devDependency here (a cycle in the
// workspace graph). The runtime's own suites read the kit's source instead, and both the kit and the
// suites resolve the runtime to this source tree, so one copy of each module is loaded.
const at = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default paystreamVitest(import.meta.dirname, {
  resolve: {
    alias: {
      '@paystream/plugin-testing': at('../plugin-testing/src/index.ts'),
      '@paystream/plugin-runtime': at('./src/index.ts'),
    },
  },
});
