// kafkajs 2.2.4 computes some request timeouts as `deadline - now`, which turns negative when the
// deadline has passed; on Node 24 every such setTimeout emits a TimeoutNegativeWarning (Node then
// uses 1 ms, exactly what kafkajs meant). Upstream issue: tulios/kafkajs#1751. The warning is
// dropped only when kafkajs is on the stack; any other negative timeout, and every other warning,
// still reaches stderr.

let installed = false;
let dropped = 0;

/** How many kafkajs TimeoutNegativeWarnings were dropped (for the test, and for curious operators). */
export function droppedKafkajsTimeoutWarnings(): number {
  return dropped;
}

/** Installs the narrow filter once per process. */
export function filterKafkajsTimeoutWarning(): void {
  if (installed) return;
  installed = true;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const first = rest[0];
    const type =
      typeof warning === 'string'
        ? typeof first === 'string'
          ? first
          : (first as { type?: string } | undefined)?.type
        : warning.name;
    if (type === 'TimeoutNegativeWarning' && /[\\/]kafkajs[\\/]/.test(new Error().stack ?? '')) {
      dropped += 1;
      return;
    }
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}
