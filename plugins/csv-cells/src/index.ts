export { CSV_OPTIONS, csvCell, csvLines, readCell } from './cells.js';
