// docs/events.md: every event type, its envelope and its data, from the zod schemas of
// @paystream/events (their `.describe()` texts are the meanings).
import {
  EVENT_TYPES,
  EVENTS_TOPIC,
  eventJsonSchemas,
  LEDGER_ENTRIES_TOPIC,
  LEDGER_ENTRY_POSTED,
  ledgerEntryDataSchema,
  ledgerPostingSchema,
  paymentEventDataSchema,
} from '@paystream/events';
import { z } from 'zod';
import { type FieldRow, fieldRows, type JsonSchema } from './json-schema.js';
import { code, table } from './markdown.js';
import { generatedNotice } from './paths.js';

const fieldTable = (rows: readonly FieldRow[]) =>
  table(
    ['field', 'type', 'required', 'meaning'],
    rows.map((r) => [code(r.name), r.type, r.required ? 'yes' : 'no', r.description]),
  );

const json = (schema: z.ZodType) => z.toJSONSchema(schema) as JsonSchema;

/** The page, as the generator writes it. */
export function renderEventsPage(): string {
  const events = Object.fromEntries(
    EVENT_TYPES.map((t) => [t, eventJsonSchemas[t].event as JsonSchema]),
  ) as Record<(typeof EVENT_TYPES)[number], JsonSchema>;
  const first = events[EVENT_TYPES[0]];
  // Each type's envelope has a `type` of that one value: here, any of the types above.
  const envelope = fieldRows(first)
    .filter((r) => r.name !== 'data')
    .map((r) => (r.name === 'type' ? { ...r, type: 'one of the types above' } : r));
  const typeRows = EVENT_TYPES.map((t) => {
    const data = events[t].properties!.data!;
    const nullable = data.properties!.code!.anyOf?.some((a) => a.type === 'null') ?? false;
    const refund = data.required?.includes('refundNo') ?? false;
    return [
      code(t),
      events[t].description ?? '',
      nullable ? 'string or null' : 'string',
      refund ? 'required' : 'optional',
    ];
  });
  return [
    '# Events',
    '',
    generatedNotice('the zod schemas in [`packages/events`](../packages/events/README.md)'),
    '',
    'Every event is a CloudEvents 1.0 envelope; on Kafka its key is `subject` and its value is `data`',
    '(the binding is in the package README). Producers validate strictly: a field not listed here is refused.',
    '',
    `## Payment events (${code(EVENTS_TOPIC)})`,
    '',
    'The gateway emits them. `subject` equals `data.outTradeNo`.',
    '',
    '### Types',
    '',
    table(['type', 'emitted when', '`data.code`', '`data.refundNo`, `data.refundAmountMinor`'], typeRows),
    '',
    '### Envelope',
    '',
    fieldTable(envelope),
    '',
    '### Data',
    '',
    'The fields every type shares; the table of types above says where a type is stricter.',
    '',
    fieldTable(fieldRows(json(paymentEventDataSchema))),
    '',
    `## Ledger events (${code(LEDGER_ENTRIES_TOPIC)})`,
    '',
    `${code(LEDGER_ENTRY_POSTED)}: one immutable, balanced journal entry the accounting plugin booked. Its`,
    "envelope has the attributes of a payment event (`subject` is the order's outTradeNo).",
    '',
    '### Data',
    '',
    fieldTable(fieldRows(json(ledgerEntryDataSchema), 'posting')),
    '',
    '### Posting',
    '',
    fieldTable(fieldRows(json(ledgerPostingSchema))),
    '',
  ].join('\n');
}
