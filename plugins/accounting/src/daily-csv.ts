// The daily report as a file beside the ERP journal: `reconciliation-YYYY-MM-DD.csv`, RFC 4180,
// a header row, cells escaped as the journal's (@paystream/csv-cells). A run replaces the day's
// file whole: written aside, flushed, then renamed over it, so a reader never sees half a report.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { csvLines } from '@paystream/csv-cells';
import { DAILY_COLUMNS, type DailyReportJson, dailyRows } from './daily-format.js';

/** The file name of a day's report. */
export const dailyCsvName = (day: string) => `reconciliation-${day}.csv`;

/** The file's whole text. */
export function dailyCsv(report: DailyReportJson): string {
  return csvLines([DAILY_COLUMNS, ...dailyRows(report)]);
}

/** Writes the day's file in `dir` (created when missing); answers its path. */
export function writeDailyCsv(dir: string, report: DailyReportJson): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, dailyCsvName(report.date));
  const aside = `${path}.${process.pid}.tmp`;
  const fd = openSync(aside, 'w');
  try {
    writeSync(fd, dailyCsv(report));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(aside, path);
  return path;
}
