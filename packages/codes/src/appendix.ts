/** One code/message pair as the aggregator's appendix prints it. */
export interface AppendixEntry {
  readonly code: string;
  readonly messageZh: string;
  readonly messageEn: string;
}

const LINE = /^(-?\d+)\s*(.*)$/;

/**
 * Parses the appendix text (as published: header lines, then each code twice, Chinese line first,
 * English second). Throws on a code whose two lines disagree, so a damaged appendix is noticed.
 */
export function parseAppendix(text: string): AppendixEntry[] {
  const rows = text
    .split(/\r?\n/)
    .map((line) => line.replace(/\s+$/, ''))
    .map((line) => LINE.exec(line))
    .filter((m): m is RegExpExecArray => m !== null);
  if (rows.length % 2 !== 0) throw new Error(`appendix has an odd number of code lines (${rows.length})`);
  const entries: AppendixEntry[] = [];
  for (let i = 0; i < rows.length; i += 2) {
    const zh = rows[i]!;
    const en = rows[i + 1]!;
    if (zh[1] !== en[1])
      throw new Error(`appendix lines ${i} and ${i + 1} carry different codes: ${zh[1]} / ${en[1]}`);
    entries.push({ code: zh[1]!, messageZh: zh[2]!, messageEn: en[2]! });
  }
  return entries;
}

/** Lists every difference between the appendix and a catalog: missing, changed or invented entries. */
export function compareWithAppendix(
  appendix: readonly AppendixEntry[],
  entries: readonly AppendixEntry[],
): string[] {
  const problems: string[] = [];
  const key = (e: AppendixEntry) => `${e.code}\u0000${e.messageZh}\u0000${e.messageEn}`;
  const inCatalog = new Set(entries.map(key));
  const inAppendix = new Set(appendix.map(key));
  for (const e of appendix) {
    if (!inCatalog.has(key(e))) problems.push(`missing or changed in catalog: ${e.code} ${e.messageEn}`);
  }
  for (const e of entries) {
    if (!inAppendix.has(key(e))) problems.push(`not in the appendix: ${e.code} ${e.messageEn}`);
  }
  if (entries.length !== appendix.length) {
    problems.push(`catalog has ${entries.length} entries, the appendix ${appendix.length}`);
  }
  return problems;
}
