/**
 * The `--env [label:]KEY=VALUE` entries that apply to the process of `label`: those without a label
 * and those naming it, a later entry winning.
 */
export function envFor(entries: readonly string[], label: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of entries) {
    const m = /^(?:([\w.-]+):)?(\w+)=(.*)$/.exec(entry);
    if (!m) throw new Error(`--env ${entry}: expected [label:]KEY=VALUE`);
    if (m[1] === undefined || m[1] === label) env[m[2]!] = m[3]!;
  }
  return env;
}
