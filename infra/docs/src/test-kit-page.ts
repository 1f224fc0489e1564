// docs/test-kit.md: the plugin test kit's fixtures, their options and defaults. The options and
// doc comments are read from the kit's source; the defaults are what the fixtures return when run.
import { join } from 'node:path';
import type { TypedEvent } from '@paystream/events';
import { lifecycle, makeEvents, orderEvents } from '@paystream/plugin-testing';
import { type DeclarationDoc, declarationsOf } from './declarations.js';
import { code, table } from './markdown.js';
import { generatedNotice, REPO_ROOT } from './paths.js';

/** The files the kit's exports are declared in, from the root. */
export const TEST_KIT_SOURCES = [
  'packages/plugin-testing/src/test-host.ts',
  'packages/plugin-testing/src/order-events.ts',
  'packages/plugin-testing/src/lifecycle.ts',
  'packages/plugin-testing/src/mocks.ts',
  'packages/bus/src/testing/events.ts',
  'packages/bus/src/testing/port.ts',
  'packages/bus/src/testing/wait.ts',
] as const;

// The data fields a fixture table shows, in this order (times are left out: they are "now").
const EVENT_COLUMNS = [
  'sequence',
  'operation',
  'code',
  'category',
  'amountMinor',
  'currency',
  'wallet',
  'refundNo',
  'refundAmountMinor',
  'refundedTotalMinor',
  'caller',
] as const;

function eventTable(events: readonly TypedEvent[], withId: boolean): string {
  const data = (e: TypedEvent) => e.data as unknown as Record<string, unknown>;
  const columns = EVENT_COLUMNS.filter((c) => events.some((e) => data(e)[c] !== undefined));
  const value = (v: unknown) => (v === undefined ? '' : code(JSON.stringify(v)));
  return table(
    [...(withId ? ['id'] : []), 'type', ...columns],
    events.map((e) => [
      ...(withId ? [code(e.id)] : []),
      code(e.type),
      ...columns.map((c) => value(data(e)[c])),
    ]),
  );
}

function memberTable(d: DeclarationDoc, first: string): string {
  return table(
    [first, 'type', 'meaning'],
    d.members.map((m) => [code(`${m.name}${m.optional ? '?' : ''}`), code(m.type), m.doc]),
  );
}

function fn(d: DeclarationDoc): string {
  return [`${code(d.signature)}`, '', d.doc].join('\n');
}

/** The page, as the generator writes it. */
export function renderTestKitPage(root = REPO_ROOT): string {
  const decl = new Map<string, DeclarationDoc>();
  for (const file of TEST_KIT_SOURCES) for (const [k, v] of declarationsOf(join(root, file))) decl.set(k, v);
  const get = (name: string) => {
    const d = decl.get(name);
    if (!d) throw new Error(`${name} is not exported by ${TEST_KIT_SOURCES.join(', ')}`);
    return d;
  };
  const everyType = [
    'payment.created',
    'payment.pending',
    'payment.succeeded',
    'payment.failed',
    'payment.query_failed',
    'refund.pending',
    'refund.succeeded',
    'refund.failed',
  ] as const;
  const defaults = everyType.flatMap((type) => makeEvents({ type, prefix: 'P' }) as TypedEvent[]);
  const order = orderEvents('O1', { refundMinor: 300, refundFailsFirst: true });
  const steps = lifecycle('O1', [
    'payment.created',
    'payment.succeeded',
    { refund: 'R1', amountMinor: 300 },
    { refund: 'R2', amountMinor: 200, declined: true },
    'payment.cancel_failed',
  ]);
  const mocks = [
    'mockLogger',
    'mockMetrics',
    'mockConfig',
    'mockScheduler',
    'mockPublisher',
    'mockHttpClient',
    'mockUpstream',
  ].map(get);
  return [
    '# The plugin test kit',
    '',
    generatedNotice(
      'the source of [`packages/plugin-testing`](../packages/plugin-testing/README.md) and the `@paystream/bus/testing` fixtures it re-exports',
    ),
    '',
    "Every export below comes from `@paystream/plugin-testing`, a plugin's devDependency. The",
    'tables of events are what the fixtures return, run by the generator.',
    '',
    '## startTestHost',
    '',
    fn(get('startTestHost')),
    '',
    '### Options',
    '',
    memberTable(get('TestHostOptions'), 'option'),
    '',
    '### The host it returns',
    '',
    memberTable(get('TestHost'), 'member'),
    '',
    '## makeEvents',
    '',
    fn(get('makeEvents')),
    '',
    memberTable(get('MakeEventsOptions'), 'option'),
    '',
    `Each type's defaults: ${code("makeEvents({ type, prefix: 'P' })")}, outTradeNo ${code('P-0')}.`,
    '',
    eventTable(defaults, true),
    '',
    '## orderEvents',
    '',
    fn(get('orderEvents')),
    '',
    memberTable(get('OrderEventsOptions'), 'option'),
    '',
    `${code("orderEvents('O1', { refundMinor: 300, refundFailsFirst: true })")}:`,
    '',
    eventTable(order, true),
    '',
    "## lifecycle: the ledger's fixtures",
    '',
    fn(get('lifecycle')),
    '',
    `${get('Step').doc} (${code('Step')}): ${code(get('Step').signature.replace(/^\|\s*/, ''))}.`,
    '',
    `${get('OrderAttributes').doc.replace(/\.$/, '')}:`,
    '',
    memberTable(get('OrderAttributes'), 'attribute'),
    '',
    `${code("lifecycle('O1', ['payment.created', 'payment.succeeded', { refund: 'R1', amountMinor: 300 }, { refund: 'R2', amountMinor: 200, declined: true }, 'payment.cancel_failed'])")}:`,
    '',
    eventTable(steps, true),
    '',
    '## Ports, ids and waiting',
    '',
    ...['freePort', 'runId', 'waitFor'].flatMap((n) => [`- ${code(get(n).signature)}: ${get(n).doc}`]),
    '',
    '## Mocks for unit tests without a host',
    '',
    ...mocks.map((d) => `- ${code(d.signature)}${d.doc ? `: ${d.doc}` : ''}`),
    '',
  ].join('\n');
}
