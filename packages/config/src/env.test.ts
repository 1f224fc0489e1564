import { describe, expect, it } from 'vitest';
import { ConfigError, hashApiKey, loadConfig, worstCaseRequestMs } from './index.js';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.sandboxPort).toBe(8081);
    expect(c.kafkaBrokers).toEqual([]);
    expect(c.kafkaTopic).toEqual({ partitions: 6, replicationFactor: 1, retentionMs: 604_800_000 });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.upstream.baseUrl).toBeUndefined();
    expect(c.upstream).toMatchObject({ connections: 256, pipelining: 1 });
    expect(c.apiKeys).toEqual([]);
    expect(c.devApiKey).toBeUndefined();
  });

  it('parses brokers and API keys', () => {
    const sha256 = hashApiKey('psk_test');
    const c = loadConfig({
      KAFKA_BROKERS: '127.0.0.1:9092, kafka:9093',
      PAYSTREAM_API_KEYS: JSON.stringify([{ caller: 'checkout', sha256, scopes: ['payments:write'] }]),
    });
    expect(c.kafkaBrokers).toEqual(['127.0.0.1:9092', 'kafka:9093']);
    expect(
      loadConfig({ KAFKA_TOPIC_PARTITIONS: '12', KAFKA_TOPIC_REPLICATION_FACTOR: '3' }).kafkaTopic,
    ).toMatchObject({ partitions: 12, replicationFactor: 3 });
    expect(c.apiKeys).toEqual([{ caller: 'checkout', sha256, scopes: ['payments:write'] }]);
  });

  it('takes min.insync.replicas of new topics up to the replication factor', () => {
    expect(
      loadConfig({ KAFKA_TOPIC_REPLICATION_FACTOR: '3', KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '2' }).kafkaTopic,
    ).toEqual({ partitions: 6, replicationFactor: 3, retentionMs: 604_800_000, minInsyncReplicas: 2 });
    let error: unknown;
    try {
      loadConfig({ KAFKA_TOPIC_REPLICATION_FACTOR: '2', KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '3' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      {
        variable: 'KAFKA_TOPIC_MIN_INSYNC_REPLICAS',
        message: 'must not exceed KAFKA_TOPIC_REPLICATION_FACTOR',
      },
    ]);
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        KAFKA_BROKERS: 'no port',
        PAYSTREAM_API_KEYS: '{',
        KAFKA_TOPIC_PARTITIONS: '0',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('PORT: must be a port number');
    expect(message).toContain('KAFKA_BROKERS: must be a comma-separated list of host:port');
    expect(message).toContain('PAYSTREAM_API_KEYS: must be a JSON array');
    expect(message).toContain('KAFKA_TOPIC_PARTITIONS: must be a whole number between 1 and 1000');
  });

  it("takes the standalone plugin host's topics when given, and refuses what Kafka would", () => {
    expect(loadConfig({}).pluginHostTopics).toEqual({ events: undefined, ledger: undefined });
    expect(
      loadConfig({ PLUGIN_HOST_EVENTS_TOPIC: 'payments.events.v1.staging', PLUGIN_HOST_LEDGER_TOPIC: 'l_2' })
        .pluginHostTopics,
    ).toEqual({ events: 'payments.events.v1.staging', ledger: 'l_2' });
    expect(() => loadConfig({ PLUGIN_HOST_LEDGER_TOPIC: 'ledger entries' })).toThrow(
      /PLUGIN_HOST_LEDGER_TOPIC: must be a Kafka topic name/,
    );
  });

  it('sizes the upstream pool from UPSTREAM_CONNECTIONS and UPSTREAM_PIPELINING', () => {
    expect(loadConfig({ UPSTREAM_CONNECTIONS: '512', UPSTREAM_PIPELINING: '4' }).upstream).toMatchObject({
      connections: 512,
      pipelining: 4,
    });
    expect(loadConfig({ UPSTREAM_CONNECTIONS: '', UPSTREAM_PIPELINING: '' }).upstream).toMatchObject({
      connections: 256,
      pipelining: 1,
    });
    for (const bad of ['0', '-3', '2.5', 'many', '1e9']) {
      expect(() => loadConfig({ UPSTREAM_CONNECTIONS: bad })).toThrow(
        'UPSTREAM_CONNECTIONS: must be a whole number between 1 and 10000',
      );
      expect(() => loadConfig({ UPSTREAM_PIPELINING: bad })).toThrow(
        'UPSTREAM_PIPELINING: must be a whole number between 1 and 100',
      );
    }
  });

  it('requires credentials for a real upstream and never echoes a secret', () => {
    expect(() =>
      loadConfig({ UPSTREAM_BASE_URL: 'https://pay.example', UPSTREAM_PRIVATE_KEY: 'pk-SECRET' }),
    ).toThrow('UPSTREAM_USER_CONFIRM_KEY: is required when UPSTREAM_BASE_URL is set');
    const secret = 'psk_live_SECRET_VALUE';
    try {
      loadConfig({ PAYSTREAM_API_KEYS: JSON.stringify([{ caller: 'x', sha256: secret, scopes: [] }]) });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toContain('PAYSTREAM_API_KEYS');
      expect((err as Error).message).not.toContain(secret);
    }
  });

  it('tells an unset development key from one set empty, and refuses one beside a real upstream', () => {
    expect(loadConfig({ PAYSTREAM_DEV_API_KEY: '' }).devApiKey).toBeNull();
    expect(loadConfig({ PAYSTREAM_DEV_API_KEY: ' psk_x ' }).devApiKey).toBe('psk_x');
    expect(() =>
      loadConfig({
        UPSTREAM_BASE_URL: 'https://pay.example',
        UPSTREAM_USER_CONFIRM_KEY: 'u',
        UPSTREAM_PRIVATE_KEY: 'p',
        PAYSTREAM_DEV_API_KEY: 'psk_dev_local',
      }),
    ).toThrow('PAYSTREAM_DEV_API_KEY: is only honoured with the bundled sandbox');
  });

  it('gives shutdown the worst-case request (call + settling query) plus the flush by default', () => {
    expect(worstCaseRequestMs(10_000)).toBe(21_000);
    expect(loadConfig({}).shutdownTimeoutMs).toBe(26_000);
    expect(loadConfig({ UPSTREAM_TIMEOUT_MS: '2000' }).shutdownTimeoutMs).toBe(10_000);
    expect(loadConfig({ SHUTDOWN_TIMEOUT_MS: '4000' }).shutdownTimeoutMs).toBe(4_000);
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_MS: '0' })).toThrow('SHUTDOWN_TIMEOUT_MS');
    expect(loadConfig({}).sweepIntervalMs).toBe(30_000);
    expect(loadConfig({ SWEEP_INTERVAL_MS: '500' }).sweepIntervalMs).toBe(500);
  });
});
