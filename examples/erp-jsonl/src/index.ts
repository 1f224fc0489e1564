// The JSON-lines ERP connector: every journal entry the ledger posts becomes one line of
// `<dir>/ledger-YYYY-MM-DD.jsonl` (the Hong Kong day it was posted), amounts both as integer minor
// units and as the decimal string an ERP import expects. Delivery is at least once, so a line is
// written once per entry id: the ids already in a day's file are read when the file is first used.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { coreServices, definePlugin, formatAmount, type LedgerEntryData } from '@paystream/plugin-sdk';
import { z } from 'zod';

export const erpJsonlOptions = z.strictObject({
  /** Default ERP_JSONL_DIR, else `.data/erp-jsonl/` under the working directory. */
  dir: z.string().min(1).optional(),
});

const hongKongDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Hong_Kong' });

/** The line written for one entry (without its newline). */
export function entryLine(d: LedgerEntryData): string {
  return JSON.stringify({
    entryId: d.entryId,
    postedAt: d.postedAt,
    eventType: d.eventType,
    outTradeNo: d.outTradeNo,
    ...(d.refundNo ? { refundNo: d.refundNo } : {}),
    wallet: d.wallet,
    lines: d.postings.map((p) => ({
      account: p.account,
      side: p.side,
      amountMinor: p.amountMinor,
      amount: formatAmount(p.amountMinor, p.currency),
      currency: p.currency,
    })),
  });
}

/** The daily files of one folder, and the entry ids each already holds. */
export class JsonlJournal {
  private readonly written = new Map<string, Set<string>>();

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  fileFor(postedAt: string): string {
    return join(this.dir, `ledger-${hongKongDay.format(new Date(postedAt))}.jsonl`);
  }

  /** Appends the entry unless its day's file already holds it; says which. */
  append(d: LedgerEntryData): { file: string; written: boolean } {
    const file = this.fileFor(d.postedAt);
    const ids = this.idsIn(file);
    if (ids.has(d.entryId)) return { file, written: false };
    appendFileSync(file, `${entryLine(d)}\n`);
    ids.add(d.entryId);
    return { file, written: true };
  }

  private idsIn(file: string): Set<string> {
    let ids = this.written.get(file);
    if (!ids) {
      ids = new Set(
        existsSync(file)
          ? readFileSync(file, 'utf8')
              .split('\n')
              .filter((l) => l.trim() !== '')
              .map((l) => (JSON.parse(l) as { entryId: string }).entryId)
          : [],
      );
      this.written.set(file, ids);
    }
    return ids;
  }
}

export const createErpJsonlPlugin = definePlugin({
  id: 'erp-jsonl',
  description: 'Writes each ledger entry as a JSON line in a daily file for the ERP',
  subscribes: { types: ['ledger.entry.posted'] },
  options: erpJsonlOptions,
  // One writer per folder: lines are appended one at a time, in the order entries arrive.
  delivery: { concurrency: 1 },
  deps: { config: coreServices.config, logger: coreServices.logger },
  setup({ config, logger }, options) {
    const dir = resolve(options.dir ?? config.get('ERP_JSONL_DIR') ?? '.data/erp-jsonl/');
    logger.info({ dir }, 'writing ledger entries as JSON lines');
    return { journal: new JsonlJournal(dir) };
  },
  async handle(event, { state, logger }) {
    const { file, written } = state.journal.append(event.data);
    logger.debug(
      { entryId: event.data.entryId, file, written },
      written ? 'entry written' : 'entry already written',
    );
  },
});

export default createErpJsonlPlugin;
