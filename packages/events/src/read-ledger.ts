// The consumer side of `ledger.entry.posted` (strict producers, tolerant consumers): the fields an
// ERP connector relies on are checked, including the balance, unknown fields are dropped, and a
// type other than a ledger entry is reported, not failed, so a newer ledger can add event types.
import { CURRENCIES } from '@paystream/money';
import { z } from 'zod';
import { cloudEventFromKafka, type IncomingKafkaRecord } from './kafka-binding.js';
import { LEDGER_ENTRY_POSTED, type LedgerEntryPostedEvent } from './ledger.js';
import { consumerEnvelopeBase } from './read.js';
import { EventValidationError } from './validate.js';

const minor = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const posting = z.object({
  account: z.string().min(1),
  side: z.enum(['debit', 'credit']),
  amountMinor: minor,
  currency: z.enum(CURRENCIES),
});

const envelope = consumerEnvelopeBase.extend({
  type: z.literal(LEDGER_ENTRY_POSTED),
  data: z.object({
    entryId: z.string().min(1),
    eventId: z.string().min(1),
    eventType: z.string().min(1),
    outTradeNo: z.string().min(1),
    refundNo: z.string().min(1).optional(),
    wallet: z.string().min(1),
    postings: z.array(posting).min(2),
    postedAt: z.string().min(1),
  }),
});

/** What a consumer read from one ledger record. */
export type LedgerReadResult =
  | { kind: 'event'; event: LedgerEntryPostedEvent }
  | { kind: 'unknown_type'; id: string | undefined; type: string };

/** Reads a `ledger.entries.v1` value as a consumer; throws {@link EventValidationError} naming bad fields. */
export function readLedgerEvent(value: unknown): LedgerReadResult {
  const v = typeof value === 'object' && value !== null ? (value as { type?: unknown; id?: unknown }) : {};
  if (typeof v.type === 'string' && v.type.length > 0 && v.type !== LEDGER_ENTRY_POSTED)
    return { kind: 'unknown_type', type: v.type, id: typeof v.id === 'string' ? v.id : undefined };
  const parsed = envelope.safeParse(value);
  if (!parsed.success)
    throw new EventValidationError(
      parsed.error.issues.map((i) => ({
        field: i.path.map(String).join('.') || '(event)',
        message: i.message,
      })),
    );
  const { data } = parsed.data;
  for (const currency of new Set(data.postings.map((p) => p.currency))) {
    const sum = (side: string) =>
      data.postings
        .filter((p) => p.currency === currency && p.side === side)
        .reduce((s, p) => s + p.amountMinor, 0);
    if (sum('debit') !== sum('credit'))
      throw new EventValidationError([
        { field: 'data.postings', message: `debits must equal credits in ${currency}` },
      ]);
  }
  return { kind: 'event', event: parsed.data as unknown as LedgerEntryPostedEvent };
}

/** Decodes a binary-mode `ledger.entries.v1` record as a consumer (see {@link readLedgerEvent}). */
export function readLedgerKafkaMessage(m: IncomingKafkaRecord): LedgerReadResult {
  return readLedgerEvent(cloudEventFromKafka(m));
}
