export type { AlertChannel, AlertNotice } from './channels/types.js';
export type { AlertingOptions } from './options.js';
export { alertingOptions } from './options.js';
export { channelsFor, createAlertingPlugin, createAlertingPlugin as default } from './plugin.js';
export { AlertRulesError, DEFAULT_RULES_FILE, loadRulesFile, parseRules } from './rules/load.js';
export { DEFAULT_RUNBOOK, RUNBOOK_BASE_URL_VARIABLE, runbookUrl, withRunbookBase } from './rules/runbook.js';
export type { Rule } from './rules/schema.js';
export type { AlertView } from './store/list.js';
