import type { PaystreamEvent } from '@paystream/events';

/** What a {@link GapChecker} saw. */
export interface GapReport {
  /** Distinct event ids delivered. */
  unique: number;
  /** Deliveries of an id already seen (at-least-once redeliveries). */
  duplicates: number;
  /** Keys whose distinct sequences are not exactly 1..expected (missing numbers listed). */
  gaps: { key: string; missing: number[] }[];
  /** First deliveries that did not continue their key's sequence (reordering). */
  outOfOrder: { key: string; expected: number; got: number }[];
}

/**
 * Follows per-key `data.sequence` across deliveries: every group in the fault tests feeds one, then
 * asserts no gap and no reordering after dedupe, and reports its duplicates.
 */
export class GapChecker {
  private readonly seen = new Set<string>();
  private readonly lastSeq = new Map<string, number>();
  private readonly seqs = new Map<string, Set<number>>();
  private readonly reorders: GapReport['outOfOrder'] = [];
  private dupes = 0;

  /** Records one delivery; returns false for a duplicate. */
  record(e: Pick<PaystreamEvent, 'id' | 'subject'> & { data: { sequence: number } }): boolean {
    if (this.seen.has(e.id)) {
      this.dupes++;
      return false;
    }
    this.seen.add(e.id);
    const key = e.subject;
    const seq = e.data.sequence;
    const last = this.lastSeq.get(key) ?? 0;
    if (seq !== last + 1) this.reorders.push({ key, expected: last + 1, got: seq });
    this.lastSeq.set(key, Math.max(last, seq));
    const s = this.seqs.get(key) ?? new Set<number>();
    this.seqs.set(key, s);
    s.add(seq);
    return true;
  }

  /** Distinct ids so far (what "delivered after dedupe" counts). */
  get unique(): number {
    return this.seen.size;
  }

  get duplicates(): number {
    return this.dupes;
  }

  /** The report against the expected sequences per key (`{ key: lastSequence }`). */
  report(expected: Record<string, number>): GapReport {
    const gaps: GapReport['gaps'] = [];
    for (const [key, last] of Object.entries(expected)) {
      const got = this.seqs.get(key) ?? new Set<number>();
      const missing: number[] = [];
      for (let i = 1; i <= last; i++) if (!got.has(i)) missing.push(i);
      if (missing.length > 0 || got.size !== last) gaps.push({ key, missing });
    }
    for (const key of this.seqs.keys()) if (!(key in expected)) gaps.push({ key, missing: [] });
    return { unique: this.unique, duplicates: this.dupes, gaps, outOfOrder: [...this.reorders] };
  }
}
