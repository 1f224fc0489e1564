export { runCli } from './cli-run.js';
export type { PluginHost, PluginHostOptions, PluginStatus, TopicBus } from './host.js';
export { createPluginHost, pluginGroup } from './host.js';
export type { HostAppOptions } from './http.js';
export { createHostApp } from './http.js';
export { loadPluginsFromFile } from './load.js';
