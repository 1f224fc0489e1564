import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type ChildLogger, censorSecrets, createLogger, silentLogger } from './index.js';

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

  it('censors a child logger’s bindings too', () => {
    const { lines, destination } = capture();
    createLogger({ name: 't', destination })
      .child({ component: 'upstream', credentials: { privateKey: 'pk-child' } })
      .info({}, 'x');
    expect(lines.join('')).not.toContain('pk-child');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      component: 'upstream',
      credentials: { privateKey: '[redacted]' },
    });
  });

  it('is a ChildLogger, like the silent one libraries default to', () => {
    const { destination } = capture();
    const loggers: ChildLogger[] = [createLogger({ name: 't', destination }), silentLogger];
    expect(loggers[1]!.child({ a: 1 })).toBe(silentLogger);
  });
});

describe('censorSecrets', () => {
  it('returns the very object when it holds no secret', () => {
    const line = { method: 'POST', route: '/v1/payments', status: 201, nested: { a: [1, { b: 2 }] } };
    expect(censorSecrets(line)).toBe(line);
  });

  it('censors at every level down to four below the object, in arrays too, and leaves the original alone', () => {
    const original = {
      err: { config: { upstream: { privateKey: 'pk', keep: 1 } } },
      calls: [{ headers: { authorization: 'Bearer x' } }],
      password: 'p',
    };
    const out = censorSecrets(original);
    expect(out).toEqual({
      err: { config: { upstream: { privateKey: '[redacted]', keep: 1 } } },
      calls: [{ headers: { authorization: '[redacted]' } }],
      password: '[redacted]',
    });
    expect(original.err.config.upstream.privateKey).toBe('pk');
    expect(original.calls[0]!.headers.authorization).toBe('Bearer x');
  });

  it('keeps an Error an Error, with its message and stack, when a field of it is censored', () => {
    const err = Object.assign(new Error('upstream refused'), { secret: 's3' });
    const out = censorSecrets({ err }).err;
    expect(out).toBeInstanceOf(Error);
    expect(out.message).toBe('upstream refused');
    expect(out.stack).toBe(err.stack);
    expect(out.secret).toBe('[redacted]');
    expect(err.secret).toBe('s3');
  });

  it('stops at its depth on a cycle', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(censorSecrets(a)).toBe(a);
  });
});
