// `node bench/dist/footprint.js [options]` (the program is footprint-run.ts).
// Node.js is checked first, and alone: static imports are all evaluated before a module's body, and
// on another Node.js a dependency dies at import time with a stack trace instead of saying why.
import { exitUnlessSupportedNode } from '@paystream/config/node-version';

exitUnlessSupportedNode();
await import('./footprint-run.js');
