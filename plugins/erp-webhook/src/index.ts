export { entryBody } from './body.js';
export { ErpRejectedError, retryDelay } from './deliver.js';
export {
  createErpWebhookPlugin,
  createErpWebhookPlugin as default,
  DEFAULT_RETRY_SCHEDULE_MS,
  erpWebhookOptions,
} from './plugin.js';
