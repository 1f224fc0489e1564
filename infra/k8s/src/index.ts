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
export { NOTIFY_PATH, networkPolicies, notifyIngress } from './network.js';
export type { ClusterSettings } from './settings.js';
export { clusterSettings, NAMES, PRE_STOP_SECONDS, terminationGraceSeconds } from './settings.js';
export { GATEWAY_RESOURCES, GATEWAY_SCALING, LAG_PER_HOST, PLUGIN_HOST_RESOURCES } from './sizing.js';
export { gateway, JOB_LABEL, namespace, pluginHost, serviceAccount } from './workloads.js';
