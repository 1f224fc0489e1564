// The gateway's one HTTP adapter for refusals: which status each of its own problems is. The
// kinds every service shares are mapped by @paystream/http-kit.
import type { ProblemError } from '@paystream/http-kit';
import { NotificationRejectedError, type RejectReason, UpstreamRejectedError } from '../errors.js';

/** Unreadable notifications are bad requests, an unknown order is not found, the rest unauthenticated. */
const NOTIFY_STATUS: Readonly<Record<RejectReason, number>> = {
  malformed: 400,
  bad_timestamp: 400,
  mismatch: 400,
  unknown_order: 404,
  clock_skew: 401,
  bad_signature: 401,
  invalid: 401,
};

export function gatewayStatusOf(error: ProblemError): number | undefined {
  if (error instanceof UpstreamRejectedError) return error.entry.httpStatus;
  if (error instanceof NotificationRejectedError) return NOTIFY_STATUS[error.reason];
  return undefined;
}
