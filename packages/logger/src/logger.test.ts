import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type ChildLogger, createLogger, silentLogger } from './index.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('never writes a secret, wherever it sits in the logged object', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ name: 't', destination });
    logger.info({ private_key: 'pk-123', upstream: { User_Confirm_Key: 'uck-456' }, apiKey: 'psk_x' }, 'hi');
    logger.child({ component: 'c' }).warn({ req: { authorization: 'Bearer psk_y' } }, 'w');
    const text = lines.join('');
    for (const secret of ['pk-123', 'uck-456', 'psk_x', 'psk_y']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
    expect(text).toContain('"component":"c"');
  });

  it('is a ChildLogger, like the silent one libraries default to', () => {
    const { destination } = capture();
    const loggers: ChildLogger[] = [createLogger({ name: 't', destination }), silentLogger];
    expect(loggers[1]!.child({ a: 1 })).toBe(silentLogger);
  });
});
