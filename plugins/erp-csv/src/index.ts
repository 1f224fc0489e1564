export { Journal, journalFile } from './journal.js';
export { createErpCsvPlugin, createErpCsvPlugin as default, erpCsvOptions } from './plugin.js';
export { COLUMNS, entryLines, HEADER, hongKongDate, journalCell, readCell } from './rows.js';
