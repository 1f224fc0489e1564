// The aggregator writes request timestamps as yyyyMMddHHmmss in Hong Kong time (UTC+8, no DST),
// the convention of the mainland and Hong Kong wallet APIs it fronts.
const HK_OFFSET_MS = 8 * 60 * 60 * 1000;
const WIRE_TIMESTAMP = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/** Formats an instant as the wire timestamp, e.g. 20250131235959. */
export function formatWireTimestamp(date: Date): string {
  const hk = new Date(date.getTime() + HK_OFFSET_MS);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    pad(hk.getUTCFullYear(), 4) +
    pad(hk.getUTCMonth() + 1) +
    pad(hk.getUTCDate()) +
    pad(hk.getUTCHours()) +
    pad(hk.getUTCMinutes()) +
    pad(hk.getUTCSeconds())
  );
}

/** Parses a wire timestamp; undefined for anything that is not a real calendar instant. */
export function parseWireTimestamp(text: unknown): Date | undefined {
  if (typeof text !== 'string') return undefined;
  const m = WIRE_TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const utc = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(utc);
  // Date.UTC rolls 2025-02-30 over to March; a rolled-over date is a format error, not a date.
  if (
    check.getUTCFullYear() !== y ||
    check.getUTCMonth() !== mo - 1 ||
    check.getUTCDate() !== d ||
    check.getUTCHours() !== h ||
    check.getUTCMinutes() !== mi ||
    check.getUTCSeconds() !== s
  ) {
    return undefined;
  }
  return new Date(utc - HK_OFFSET_MS);
}

/** The Hong Kong calendar day of an instant (YYYY-MM-DD): "same day" for the close rule. */
export function hongKongDay(date: Date): string {
  return new Date(date.getTime() + HK_OFFSET_MS).toISOString().slice(0, 10);
}
