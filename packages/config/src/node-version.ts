// The first module every entry point loads, before anything else: on another Node.js a dependency
// dies at import time with a stack trace (undici 8 needs Node.js 24's zlib), so the check must run
// before any of them is even evaluated. It therefore imports nothing, and an entry point imports
// it alone and loads the real program with `await import()` once it passed.

/** The Node.js versions Paystream runs on: `engines.node` of the root package.json. */
export const SUPPORTED_NODE_RANGE = '>=24.0.0 <25';

const SUPPORTED_MAJOR = 24;

/** Whether `version` (`24.1.0` or `v24.1.0`) is inside {@link SUPPORTED_NODE_RANGE}. */
export function isSupportedNode(version: string = process.versions.node): boolean {
  return Number(version.replace(/^v/, '').split('.')[0]) === SUPPORTED_MAJOR;
}

/** The one line an entry point prints before it exits on another Node.js. */
export function unsupportedNodeMessage(
  version: string = process.version,
  execPath: string = process.execPath,
): string {
  return `paystream needs Node.js ${SUPPORTED_NODE_RANGE} (package.json "engines"), but this is Node.js ${version} (${execPath})`;
}

/** Ends the process with exit code 1 and {@link unsupportedNodeMessage} unless the Node.js is supported. */
export function exitUnlessSupportedNode(): void {
  if (isSupportedNode()) return;
  // Synchronous on a terminal, a file and (on Linux) a pipe: the line is out before the exit.
  process.stderr.write(`${unsupportedNodeMessage()}\n`);
  process.exit(1);
}
