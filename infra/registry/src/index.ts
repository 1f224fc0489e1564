export type { WorkspacePackage } from './packages.js';
export { PUBLIC_PACKAGES, publishSet, SHIPPED_PLUGINS, workspacePackages } from './packages.js';
export type { Published } from './publish.js';
export { publishPackages } from './publish.js';
export type { LocalRegistry, RegistryOptions } from './registry.js';
export { OWN_SCOPE, startRegistry, verdaccioConfig } from './registry.js';
