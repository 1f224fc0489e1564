// On any Node.js but 24, each entry point prints one line naming the Node.js it needs and exits 1,
// before a dependency can die with a stack trace (each is a tiny file that checks, then imports
// the program). That they start on Node.js 24 is what the other process tests show.
import { join } from 'node:path';
import { describeRefusalsOnUnsupportedNode } from '@paystream/config/node-version-testing';

describeRefusalsOnUnsupportedNode(join(import.meta.dirname, '..'), [
  { entry: 'main.js', flags: [] },
  { entry: 'pass-through.js', flags: [] },
  { entry: 'telemetry-ab.js', flags: [] },
  { entry: 'soak-retention.js', flags: [] },
  { entry: 'footprint.js', flags: [] },
]);
