import { describe, expect, it } from 'vitest';
import { formatWireTimestamp, hongKongDay, parseWireTimestamp } from './wire-time.js';

describe('wire timestamps (Hong Kong time)', () => {
  it('formats and parses round trip at UTC+8', () => {
    const at = new Date('2025-01-31T16:30:05Z');
    expect(formatWireTimestamp(at)).toBe('20250201003005');
    expect(parseWireTimestamp('20250201003005')?.toISOString()).toBe('2025-01-31T16:30:05.000Z');
    expect(hongKongDay(at)).toBe('2025-02-01');
  });

  it.each(['2025-02-01', '20250230120000', '20251301000000', '2025020112000', 12, undefined])(
    'refuses %s',
    (text) => {
      expect(parseWireTimestamp(text)).toBeUndefined();
    },
  );
});
