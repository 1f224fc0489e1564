export {
  ALERT_RULES_FILE,
  configMaps,
  PLUGIN_GROUPS,
  PLUGINS,
  PLUGINS_DIR,
  sharedEnvironment,
} from './config.js';
export type { Manifest } from './manifests.js';
export { manifestFiles, manifests, manifestYaml } from './manifests.js';
export { dashboardsConfigMap, prometheusRule, ruleGroups, serviceMonitors } from './monitoring.js';
export * from './network.js';
export * from './settings.js';
export * from './sizing.js';
export * from './workloads.js';
