// The gateway's own refusals. Like every ProblemError they name what went wrong, never an HTTP
// status: http/statuses.ts maps them.
import type { CatalogEntry } from '@paystream/codes';
import { ProblemError } from '@paystream/http-kit';

/** The catalog's code and category, as a refusal's problem carries them. */
export function codeOf(entry: CatalogEntry): { code: string; category: string } {
  return { code: entry.code, category: entry.category };
}

/** The upstream answered a code other than 00: code, category and retry advice from the catalog. */
export class UpstreamRejectedError extends ProblemError {
  constructor(
    readonly entry: CatalogEntry,
    detail: string,
    readonly operation: string,
  ) {
    // The catalog's English text is the title; the upstream's own wording, if any, the detail.
    super(`upstream-${entry.code}`, entry.messageEn, detail || entry.messageEn, {
      ...codeOf(entry),
      retry: entry.retry,
      operation,
    });
  }
}

/** Why a notify is refused: the `reason` label of `paystream_notifications_rejected_total`. */
export const NOTIFY_REJECT_REASONS = [
  'malformed',
  'bad_timestamp',
  'clock_skew',
  'bad_signature',
  'invalid',
  'unknown_order',
  'mismatch',
] as const;
export type RejectReason = (typeof NOTIFY_REJECT_REASONS)[number];

/** The notify callback failed verification (signature, clock window, replay) or names no order. */
export class NotificationRejectedError extends ProblemError {
  constructor(
    readonly reason: RejectReason,
    message: string,
    readonly code?: string,
  ) {
    super('notification-rejected', 'Notification rejected', message, { reason, ...(code ? { code } : {}) });
  }
}
