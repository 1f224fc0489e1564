import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * What an API key may do. Reads are separate so a reporting job cannot move money; `ledger:read`
 * lets finance read the ledger's routes; `ledger:reconcile` lets it start a reconciliation, which
 * queries the aggregator once per order; `plugins:admin` lets operators list and redrive a
 * plugin's dead letters.
 */
export const SCOPES = [
  'payments:read',
  'payments:write',
  'refunds:write',
  'ledger:read',
  'ledger:reconcile',
  'plugins:admin',
] as const;
export type Scope = (typeof SCOPES)[number];

/** One accepted key: who uses it, its SHA-256 (never the key itself), and what it may do. */
export interface ApiKeyEntry {
  caller: string;
  /** Lower-case hex SHA-256 of the key. */
  sha256: string;
  scopes: Scope[];
}

/** Hashes an API key the way PAYSTREAM_API_KEYS stores it. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export const apiKeyEntrySchema = z
  .object({
    caller: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a short lower-case name'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the lower-case hex SHA-256 of the key'),
    scopes: z.array(z.enum(SCOPES)).min(1),
  })
  .strict();

/**
 * PAYSTREAM_API_KEYS is a JSON array of {caller, sha256, scopes}. A caller may appear several
 * times: that is how keys rotate (add the new key, move callers over, remove the old one).
 */
export const apiKeysSchema = z.array(apiKeyEntrySchema);
