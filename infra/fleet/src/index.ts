export {
  gatewayMain,
  pluginEntry,
  pluginHostMain,
  REPO_ROOT,
  requireBuilds,
  sandboxMain,
  startScriptOf,
} from './builds.js';
export { countBackends, terminateBackends, withApplicationName } from './databases.js';
export type {
  Fleet,
  FleetAnswer,
  FleetImages,
  FleetMember,
  FleetOptions,
  FleetProcess,
  MemberExit,
} from './fleet.js';
export {
  FLEET_API_KEY,
  fleetImages,
  IMAGE_DATA_DIR,
  imagePluginEntry,
  SHIPPED_PLUGINS,
  startFleet,
} from './fleet.js';
export type { KafkaCluster, KafkaClusterOptions, KafkaNode } from './kafka-cluster.js';
export { startKafkaCluster } from './kafka-cluster.js';
export { freePort, portOpen } from './ports.js';
export type { ContainerRun, LogLine, RunningProcess, RunOptions } from './processes.js';
export {
  hardOpenFilesLimit,
  KEPT_LINES,
  podmanRunFlags,
  runNode,
  startGatewayProcess,
  startPluginHostProcess,
  startSandboxProcess,
} from './processes.js';
export type { FleetProxy, NotifyDelivery, ProxyCounts } from './proxy.js';
export { startFleetProxy } from './proxy.js';
export type { FleetRecords, OrderRow, RefundRow } from './records.js';
export { openFleetRecords } from './records.js';
