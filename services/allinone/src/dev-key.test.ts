// The development key (every scope) exists only with the bundled sandbox.
import { hashApiKey, loadConfig } from '@paystream/config';
import { expect, it } from 'vitest';
import { DEFAULT_DEV_API_KEY, developmentKey } from './start.js';

const real = {
  UPSTREAM_BASE_URL: 'https://pay.example',
  UPSTREAM_USER_CONFIRM_KEY: 'ucf',
  UPSTREAM_PRIVATE_KEY: 'pk',
};
const keys = JSON.stringify([{ caller: 'checkout', sha256: hashApiKey('psk_x'), scopes: ['payments:read'] }]);

it('defaults to psk_dev_local with the bundled sandbox and no production keys', () => {
  expect(developmentKey(loadConfig({}))).toBe(DEFAULT_DEV_API_KEY);
  expect(developmentKey(loadConfig({ PAYSTREAM_DEV_API_KEY: 'psk_mine' }))).toBe('psk_mine');
});

it('is off when PAYSTREAM_DEV_API_KEY is set empty', () => {
  expect(developmentKey(loadConfig({ PAYSTREAM_DEV_API_KEY: '' }))).toBeUndefined();
  expect(developmentKey(loadConfig({ PAYSTREAM_DEV_API_KEY: '  ' }))).toBeUndefined();
});

it('has no default once production keys are configured', () => {
  expect(developmentKey(loadConfig({ PAYSTREAM_API_KEYS: keys }))).toBeUndefined();
  expect(developmentKey(loadConfig({ PAYSTREAM_API_KEYS: keys, PAYSTREAM_DEV_API_KEY: 'psk_d' }))).toBe(
    'psk_d',
  );
});

it('never exists with a real aggregator; naming one there is a configuration error', () => {
  expect(developmentKey(loadConfig(real))).toBeUndefined();
  expect(developmentKey(loadConfig({ ...real, PAYSTREAM_API_KEYS: keys }))).toBeUndefined();
  expect(() => loadConfig({ ...real, PAYSTREAM_DEV_API_KEY: 'psk_dev_local' })).toThrow(
    'PAYSTREAM_DEV_API_KEY: is only honoured with the bundled sandbox',
  );
});

it('refuses a configured caller named like the development key while that key is on', () => {
  const dev = JSON.stringify([{ caller: 'dev', sha256: hashApiKey('psk_y'), scopes: ['payments:read'] }]);
  expect(() => loadConfig({ PAYSTREAM_API_KEYS: dev, PAYSTREAM_DEV_API_KEY: 'psk_d' })).toThrow(
    `PAYSTREAM_API_KEYS: caller "dev" is the development key's`,
  );
  // Without the development key there is nothing to collide with.
  expect(developmentKey(loadConfig({ PAYSTREAM_API_KEYS: dev }))).toBeUndefined();
});
