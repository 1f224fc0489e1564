// The daily journal files. Each entry is appended with one write (all its lines together) and
// fsynced before the event counts as handled, so a reader never sees part of an entry except while
// that write is in flight, and a crash cannot leave a half line behind: a torn tail is cut off when
// the file is next opened. The entry ids already in a file are read back from it, so a redelivered
// entry is never written twice, even after a restart.
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { LedgerEntryData } from '@paystream/plugin-sdk';
import { parse } from 'csv-parse/sync';
import { entryLines, HEADER, hongKongDate, readCell } from './rows.js';

/** `journal-YYYY-MM-DD.csv` of the entry's Hong Kong date. */
export function journalFile(dir: string, d: Pick<LedgerEntryData, 'postedAt'>): string {
  return join(dir, `journal-${hongKongDate(d.postedAt)}.csv`);
}

/** Cuts a torn last line (no CRLF) left by a crash mid-write; returns the file's text. */
function repairTail(path: string): string {
  const text = readFileSync(path, 'utf8');
  if (text === '' || text.endsWith('\r\n')) return text;
  const keep = text.lastIndexOf('\r\n') + 2;
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, Buffer.byteLength(text.slice(0, keep)));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return text.slice(0, keep);
}

/** Appends entries to the journal files of one directory (one writer per directory). */
export class Journal {
  private readonly written = new Map<string, Set<string>>();

  constructor(readonly dir: string) {}

  /** The entry ids a file holds (read once, then kept up to date). */
  private idsOf(path: string): Set<string> {
    let ids = this.written.get(path);
    if (!ids) {
      ids = new Set();
      if (existsSync(path)) {
        const rows = parse(repairTail(path), { from_line: 2, relax_column_count: true }) as string[][];
        for (const row of rows) if (row[0]) ids.add(readCell(row[0]));
      }
      this.written.set(path, ids);
    }
    return ids;
  }

  /** Appends the entry's postings unless the file already has it; returns the file and whether it wrote. */
  append(d: LedgerEntryData): { path: string; written: boolean } {
    const path = journalFile(this.dir, d);
    const ids = this.idsOf(path);
    if (ids.has(d.entryId)) return { path, written: false };
    const fd = openSync(path, 'a');
    try {
      const lines = entryLines(d);
      writeSync(fd, fstatSync(fd).size === 0 ? HEADER + lines : lines);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    ids.add(d.entryId);
    return { path, written: true };
  }
}
