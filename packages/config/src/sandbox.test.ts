import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadSandboxConfig } from './index.js';

describe('loadSandboxConfig', () => {
  it('defaults to port 8081 on loopback, no latency, the development credentials', () => {
    expect(loadSandboxConfig({})).toEqual({
      port: 8081,
      host: '127.0.0.1',
      latencyMs: 0,
      credentials: { userConfirmKey: undefined, privateKey: undefined },
      logLevel: 'info',
    });
  });

  it('reads SANDBOX_PORT as the all-in-one does', () => {
    const env = { SANDBOX_PORT: '18081' };
    expect(loadSandboxConfig(env).port).toBe(18081);
    expect(loadConfig(env).sandboxPort).toBe(18081);
  });

  it('names every bad variable and never its value', () => {
    try {
      loadSandboxConfig({
        SANDBOX_PORT: 'eighty',
        SANDBOX_LATENCY_MS: '-5',
        SANDBOX_PRIVATE_KEY: 'secret-key',
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).toContain('SANDBOX_PORT');
      expect(message).toContain('SANDBOX_LATENCY_MS: must be an integer from 0 to 120000');
      expect(message).not.toContain('eighty');
    }
  });
});

describe('PAYSTREAM_FAILPOINT', () => {
  it('is unset by default and read when it names a crash point', () => {
    expect(loadConfig({}).failpoint).toBeUndefined();
    expect(loadConfig({ PAYSTREAM_FAILPOINT: 'refund:after-upstream' }).failpoint).toBe(
      'refund:after-upstream',
    );
  });

  it('refuses what names no crash point', () => {
    expect(() => loadConfig({ PAYSTREAM_FAILPOINT: 'refund:later' })).toThrow(/PAYSTREAM_FAILPOINT: must be/);
  });
});
