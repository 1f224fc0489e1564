// The shipped example config (infra/alertmanager/alertmanager.yml) is valid for the real
// Alertmanager, and routes the plugin's labels as documented: critical pages, warnings go to chat.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CONFIG = fileURLToPath(new URL('../../../infra/alertmanager/alertmanager.yml', import.meta.url));

describe('infra/alertmanager/alertmanager.yml', () => {
  it('passes amtool check-config', async () => {
    const { stdout } = await run('amtool', ['check-config', CONFIG]);
    expect(stdout).toContain('SUCCESS');
  });

  it('routes critical Paystream alerts to the pager and warnings to chat', async () => {
    const route = async (...labels: string[]) =>
      (await run('amtool', ['config', 'routes', 'test', `--config.file=${CONFIG}`, ...labels])).stdout.trim();
    expect(
      await route('service=paystream', 'severity=critical', 'alertname=BalanceInsufficient', 'code=64'),
    ).toBe('pager');
    expect(
      await route('service=paystream', 'severity=warning', 'alertname=AlipayRateUnavailable', 'code=80'),
    ).toBe('ops-chat');
  });

  it('is checked for real: amtool refuses the config with a receiver it does not define', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amtool-'));
    try {
      const broken = join(dir, 'broken.yml');
      writeFileSync(broken, readFileSync(CONFIG, 'utf8').replace('receiver: pager', 'receiver: nobody'));
      await expect(run('amtool', ['check-config', broken])).rejects.toMatchObject({
        stdout: expect.stringContaining('undefined receiver "nobody"'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
