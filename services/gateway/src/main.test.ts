// The process entry: configuration problems stop it with a message naming the variable, never
// its value (turbo builds dist/ before tests run).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const main = join(import.meta.dirname, '..', 'dist', 'main.js');
const run = (env: Record<string, string>) =>
  spawnSync(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });

it('refuses a bad PORT, naming it', () => {
  const res = run({ PORT: 'eighty' });
  expect(res.status).toBe(2);
  expect(res.stderr).toContain('PORT: must be a port number');
});

it('needs an upstream outside the all-in-one, and never echoes a secret', () => {
  const secret = 'pk-live-DO-NOT-PRINT';
  const res = run({ UPSTREAM_BASE_URL: 'https://aggregator.example', UPSTREAM_PRIVATE_KEY: secret });
  expect(res.status).toBe(2);
  expect(res.stderr).toContain('UPSTREAM_USER_CONFIRM_KEY: is required');
  expect(res.stderr + res.stdout).not.toContain(secret);
  expect(run({}).stderr).toContain('UPSTREAM_BASE_URL');
});
