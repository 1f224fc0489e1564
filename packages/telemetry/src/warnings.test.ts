import { expect, it } from 'vitest';
import { droppedKafkajsTimeoutWarnings } from './index.js';
import { filterKafkajsTimeoutWarning } from './warnings.js';

// Node warns about a negative timeout once per process, so the filter is exercised with the same
// call Node's timers make (process.emitWarning with the type), from a kafkajs frame and from ours.
it('drops TimeoutNegativeWarning only when kafkajs is on the stack; other warnings still go out', async () => {
  filterKafkajsTimeoutWarning();
  const seen: string[] = [];
  const onWarning = (w: Error) => seen.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  try {
    const before = droppedKafkajsTimeoutWarnings();
    const fromKafkajs = new Function(
      'emit',
      'emit("-5 is a negative number.", "TimeoutNegativeWarning");\n//# sourceURL=/app/node_modules/kafkajs/src/network/requestQueue/index.js',
    ) as (emit: typeof process.emitWarning) => void;
    fromKafkajs(process.emitWarning);
    expect(droppedKafkajsTimeoutWarnings()).toBe(before + 1);
    process.emitWarning('-7 is a negative number.', 'TimeoutNegativeWarning');
    process.emitWarning('something else', 'DeprecationWarning');
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([
      'TimeoutNegativeWarning: -7 is a negative number.',
      'DeprecationWarning: something else',
    ]);
  } finally {
    process.off('warning', onWarning);
  }
});
