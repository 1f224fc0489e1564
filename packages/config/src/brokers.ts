/** One broker address as `KAFKA_BROKERS` lists it. */
const BROKER_ADDRESS = /^[^\s:/,]+:\d{1,5}$/;

/**
 * Parses `KAFKA_BROKERS` ("host:port,host:port") into a broker list: empty when unset or blank
 * (DESIGN: unset means the embedded bus). Throws a RangeError naming the first bad entry.
 */
export function parseBrokers(value: string | undefined): string[] {
  const list = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const bad = list.find((b) => !BROKER_ADDRESS.test(b));
  if (bad !== undefined)
    throw new RangeError(`must be a comma-separated list of host:port (got ${JSON.stringify(bad)})`);
  return list;
}
