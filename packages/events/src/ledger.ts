// The ledger's own events: what the accounting plugin booked, so ERP connectors see exactly the
// journal, never a re-derivation of it. Same envelope and Kafka binding as payment events, on a
// topic of their own.
import { randomUUID } from 'node:crypto';
import { CURRENCIES } from '@paystream/money';
import { z } from 'zod';
import { activeTraceContext } from './trace.js';
import { EVENT_TYPES, type PaystreamEvent } from './types.js';
import { EventValidationError } from './validate.js';

/** The topic journal entries are published on. */
export const LEDGER_ENTRIES_TOPIC = 'ledger.entries.v1';
/** The CloudEvents type of a booked journal entry. */
export const LEDGER_ENTRY_POSTED = 'ledger.entry.posted';

const minor = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** One posting: an amount (minor units) on one side of one account. */
export const ledgerPostingSchema = z.strictObject({
  account: z.string().min(1).max(200).describe('The account posted to.'),
  side: z.enum(['debit', 'credit']).describe('The side of the account.'),
  amountMinor: minor.describe('Integer minor units, more than zero.'),
  currency: z.enum(CURRENCIES).describe('Currency of the amount.'),
});

/** The data of `ledger.entry.posted`: one immutable, balanced journal entry. */
export const ledgerEntryDataSchema = z
  .strictObject({
    entryId: z.string().min(1).max(128).describe("The entry's id: also the event's id."),
    /** The payment event the entry books. */
    eventId: z.string().min(1).max(128).describe('The id of the payment event the entry books.'),
    eventType: z.enum(EVENT_TYPES).describe('The type of that payment event.'),
    outTradeNo: z.string().min(1).max(64).describe("The order's number: also the event's subject."),
    refundNo: z.string().min(1).max(64).optional().describe('The refund booked, on a refund entry.'),
    wallet: z.string().min(1).describe('Wallet of the order.'),
    postings: z
      .array(ledgerPostingSchema)
      .min(2)
      .describe('Two or more postings; debits equal credits per currency.'),
    postedAt: z.iso.datetime({ offset: true }).describe('ISO 8601 time the entry was booked.'),
  })
  .refine(
    (d) =>
      CURRENCIES.every((c) => {
        const of = d.postings.filter((p) => p.currency === c);
        const sum = (side: string) =>
          of.filter((p) => p.side === side).reduce((s, p) => s + p.amountMinor, 0);
        return sum('debit') === sum('credit');
      }),
    { message: 'debits must equal credits per currency', path: ['postings'] },
  );

export type LedgerPosting = z.infer<typeof ledgerPostingSchema>;
export type LedgerEntryData = z.infer<typeof ledgerEntryDataSchema>;

/** A `ledger.entry.posted` CloudEvent (subject = the order's outTradeNo, the Kafka key). */
export interface LedgerEntryPostedEvent extends Omit<PaystreamEvent, 'type' | 'data'> {
  type: typeof LEDGER_ENTRY_POSTED;
  data: LedgerEntryData;
}

const envelope = z.strictObject({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(128),
  type: z.literal(LEDGER_ENTRY_POSTED),
  source: z.string().min(1),
  subject: z.string().min(1).max(64),
  time: z.iso.datetime({ offset: true }),
  datacontenttype: z.literal('application/json'),
  dataschema: z.string().optional(),
  data: ledgerEntryDataSchema,
  traceparent: z.string().optional(),
  tracestate: z.string().optional(),
});

/** Builds and validates a `ledger.entry.posted` event; its id is the entry id (idempotent re-emission). */
export function createLedgerEntryPosted(
  data: LedgerEntryData,
  opts: { source: string; time?: string },
): LedgerEntryPostedEvent {
  const result = envelope.safeParse({
    specversion: '1.0',
    id: data.entryId || randomUUID(),
    type: LEDGER_ENTRY_POSTED,
    source: opts.source,
    subject: data.outTradeNo,
    time: opts.time ?? new Date().toISOString(),
    datacontenttype: 'application/json',
    dataschema: `urn:paystream:schema:${LEDGER_ENTRY_POSTED}:v1`,
    data,
    ...activeTraceContext(),
  });
  if (!result.success)
    throw new EventValidationError(
      result.error.issues.map((i) => ({
        field: i.path.map(String).join('.') || '(event)',
        message: i.message,
      })),
    );
  return result.data as LedgerEntryPostedEvent;
}
