import { expect, it } from 'vitest';
import { banner } from './banner.js';

const base = {
  gatewayUrl: 'http://127.0.0.1:8080',
  demoNo: 'demo-1',
  bus: 'embedded',
  database: '.data/paystream.sqlite',
  plugins: ['accounting', 'alerting', 'erp-csv'],
  alerting: 'log',
  erpCsvFile: '/srv/.data/erp/journal-2026-01-02.csv',
};

it('prints the URLs, the dev key and a curl for each step', () => {
  const text = banner({
    ...base,
    upstream: { kind: 'sandbox', url: 'http://127.0.0.1:8081' },
    devKey: 'psk_dev_local',
  });
  expect(text).toContain("-H 'Authorization: Bearer psk_dev_local'");
  expect(text).toContain('curl -s -X POST http://127.0.0.1:8081/__sandbox/orders/demo-1/pay');
  expect(text).toContain('"outTradeNo":"demo-1","amount":"12.34","currency":"HKD","wallet":"WECHATHK"');
  expect(text).toContain(
    "curl -s 'http://127.0.0.1:8080/plugins/accounting/journal?outTradeNo=demo-1' -H 'Authorization: Bearer psk_dev_local'",
  );
  expect(text).toContain('ALERT firing BalanceInsufficient');
  expect(text).toContain(
    "curl -s http://127.0.0.1:8080/plugins/alerting/alerts -H 'Authorization: Bearer psk_dev_local'",
  );
  expect(text).toContain('cat /srv/.data/erp/journal-2026-01-02.csv');
  expect(text.match(/curl /g)).toHaveLength(10);
});

it('says when it talks to the real aggregator, and offers no key and no sandbox flow', () => {
  const text = banner({
    ...base,
    upstream: { kind: 'aggregator', url: 'https://pay.example' },
    devKey: undefined,
  });
  expect(text).toContain('upstream     https://pay.example   (the REAL aggregator');
  expect(text).not.toContain('sandbox  ');
  expect(text).not.toContain('psk_');
  expect(text).not.toContain('curl ');
});
