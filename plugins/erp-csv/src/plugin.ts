// The CSV ERP connector: every journal entry the ledger posted becomes lines of a daily RFC 4180
// file `${ERP_CSV_DIR}/journal-YYYY-MM-DD.csv` (Hong Kong date), one line per posting.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { coreServices, definePlugin } from '@paystream/plugin-sdk';
import { z } from 'zod';
import { Journal } from './journal.js';

export const erpCsvOptions = z.strictObject({
  /** Default ERP_CSV_DIR, else `.data/erp/` under the working directory. */
  dir: z.string().min(1).optional(),
});

export const createErpCsvPlugin = definePlugin({
  id: 'erp-csv',
  description: 'Appends each ledger posting to a daily journal CSV for the ERP',
  subscribes: { types: ['ledger.entry.posted'] },
  options: erpCsvOptions,
  // One writer: entries are appended one at a time, in the order they arrive.
  delivery: { concurrency: 1 },
  deps: { config: coreServices.config, logger: coreServices.logger },
  setup({ config, logger }, options) {
    const dir = resolve(options.dir ?? config.get('ERP_CSV_DIR') ?? '.data/erp/');
    mkdirSync(dir, { recursive: true });
    logger.info({ dir }, 'writing journal CSV files');
    return { journal: new Journal(dir) };
  },
  async handle(event, { state, logger }) {
    const { path, written } = state.journal.append(event.data);
    logger.debug(
      { entryId: event.data.entryId, path, written },
      written ? 'entry appended' : 'entry already in the file',
    );
  },
});

export default createErpCsvPlugin;
