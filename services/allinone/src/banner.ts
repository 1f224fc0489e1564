/** What `make start` prints: where to look, the development key, and a curl walk-through. */
export function banner(o: {
  gatewayUrl: string;
  /** The bundled sandbox, or the aggregator UPSTREAM_BASE_URL names. */
  upstream: { kind: 'sandbox' | 'aggregator'; url: string };
  /** Absent: no development key (a real upstream, production keys, or turned off). */
  devKey: string | undefined;
  demoNo: string;
  bus: string;
  database: string;
  /** Plugin ids the host runs. */
  plugins: readonly string[];
  /** Where alerts go, e.g. "log" or "log + Alertmanager http://…". */
  alerting: string;
  /** Today's ERP journal CSV (Hong Kong date). */
  erpCsvFile: string;
}): string {
  const head = [
    '',
    'Paystream all-in-one is running',
    `  gateway      ${o.gatewayUrl}   (API: /v1/payments, docs: ${o.gatewayUrl}/openapi.json)`,
    o.upstream.kind === 'sandbox'
      ? `  sandbox      ${o.upstream.url}   (the upstream aggregator simulator)`
      : `  upstream     ${o.upstream.url}   (the REAL aggregator, from UPSTREAM_BASE_URL: real money)`,
    `  metrics      ${o.gatewayUrl}/metrics   health: ${o.gatewayUrl}/healthz  ${o.gatewayUrl}/readyz`,
    `  event bus    ${o.bus}   (each event is also logged below as "event <type>")`,
    `  database     ${o.database}`,
    `  plugins      ${o.plugins.join(', ')}   ${o.gatewayUrl}/plugins/<id>/…   status: ${o.gatewayUrl}/admin/plugins`,
    `  alerts       ${o.alerting}   (lines "ALERT firing <name>" below)`,
    `  ERP journal  ${o.erpCsvFile}`,
  ];
  if (!o.devKey || o.upstream.kind !== 'sandbox') {
    return [
      ...head,
      '  API keys     PAYSTREAM_API_KEYS only (no development key outside the bundled sandbox)',
      '',
    ].join('\n');
  }
  const sandboxUrl = o.upstream.url;
  const auth = `-H 'Authorization: Bearer ${o.devKey}'`;
  const json = `-H 'Content-Type: application/json'`;
  return [
    ...head,
    `  dev API key  ${o.devKey}   (every scope, sandbox only; set PAYSTREAM_DEV_API_KEY to change it, empty to turn it off)`,
    '',
    'Try it:',
    '  # 1. create a payment',
    `  curl -s -X POST ${o.gatewayUrl}/v1/payments ${auth} ${json} -H 'Idempotency-Key: ${o.demoNo}' \\`,
    `    -d '{"outTradeNo":"${o.demoNo}","amount":"12.34","currency":"HKD","wallet":"WECHATHK"}'`,
    '  # 2. pay it in the sandbox (the sandbox then sends the signed notify to the gateway)',
    `  curl -s -X POST ${sandboxUrl}/__sandbox/orders/${o.demoNo}/pay`,
    '  # 3. read it back: status "paid"',
    `  curl -s ${o.gatewayUrl}/v1/payments/${o.demoNo} ${auth}`,
    '  # 4. refund part of it',
    `  curl -s -X POST ${o.gatewayUrl}/v1/payments/${o.demoNo}/refunds ${auth} ${json} \\`,
    `    -d '{"refundNo":"${o.demoNo}-r1","amount":"2.34"}'`,
    '  # 5. make the next refund fail with code 64, then see it in problem+json and in the metrics',
    `  curl -s -X POST ${sandboxUrl}/__sandbox/faults ${json} -d '{"code":"64","operation":"refund","times":1}'`,
    `  curl -s -X POST ${o.gatewayUrl}/v1/payments/${o.demoNo}/refunds ${auth} ${json} \\`,
    `    -d '{"refundNo":"${o.demoNo}-r2","amount":"1.00"}'`,
    `  curl -s ${o.gatewayUrl}/metrics | grep -E '^paystream_(upstream_requests|events_published|alerts_fired)_total'`,
    '  #    the alert: within seconds this log shows "ALERT firing BalanceInsufficient" (critical, code 64,',
    '  #    with the order and the refund it blocked); the alerting plugin lists it too',
    `  curl -s ${o.gatewayUrl}/plugins/alerting/alerts ${auth}`,
    '  #    the payment and the refund that went through are in the ERP journal, one CSV line per posting',
    `  cat ${o.erpCsvFile}`,
    "  # 6. the ledger's journal for the order: two balanced entries, the payment (12.34) and the refund (2.34)",
    `  curl -s '${o.gatewayUrl}/plugins/accounting/journal?outTradeNo=${o.demoNo}' ${auth}`,
    '  #    and the trial balance, debits = credits per currency',
    `  curl -s ${o.gatewayUrl}/plugins/accounting/trial-balance ${auth}`,
    '',
    'Ctrl-C (SIGTERM) drains requests and flushes the outbox before exiting.',
    '',
  ].join('\n');
}
