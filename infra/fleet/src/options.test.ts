import { describe, expect, it } from 'vitest';
import { parseLauncherOptions } from './options.js';

describe('parseLauncherOptions', () => {
  it('gives the defaults', () => {
    expect(parseLauncherOptions([], {})).toEqual({
      gateways: 2,
      hosts: 2,
      port: 0,
      kafkaPort: 29092,
      kafkaHeap: '384m',
      partitions: 6,
      upstreamTimeoutMs: 5000,
      sweepIntervalMs: 5000,
      sandboxLatencyMs: 20,
      logLevel: 'info',
      images: '',
    });
  });

  it('runs the images when FLEET_IMAGES names a tag (make fleet IMAGES=1)', () => {
    expect(parseLauncherOptions([], { FLEET_IMAGES: '1' }).images).toBe('1');
    expect(parseLauncherOptions(['--images', '0.1.0-abc'], { FLEET_IMAGES: '' }).images).toBe('0.1.0-abc');
  });

  it('takes the environment, and a flag over it', () => {
    const o = parseLauncherOptions(['--gateways', '4', '--port=8180'], {
      FLEET_GATEWAYS: '3',
      FLEET_HOSTS: '1',
    });
    expect([o.gateways, o.hosts, o.port]).toEqual([4, 1, 8180]);
  });

  it('refuses an unknown flag, a missing value and a bad number', () => {
    expect(() => parseLauncherOptions(['--gateway', '2'], {})).toThrow(/^unknown option --gateway/);
    expect(() => parseLauncherOptions(['--hosts'], {})).toThrow('--hosts needs a value');
    expect(() => parseLauncherOptions([], { FLEET_PARTITIONS: 'six' })).toThrow(
      '--partitions (FLEET_PARTITIONS) must be a whole number',
    );
    expect(() => parseLauncherOptions(['--gateways', '0'], {})).toThrow('--gateways must be at least 1');
  });
});
