/** A whole number of at least `min` from a command-line option's text, or an error naming the option. */
export function wholeOption(name: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < min)
    throw new Error(`--${name} must be a whole number ≥ ${min}`);
  return n;
}
