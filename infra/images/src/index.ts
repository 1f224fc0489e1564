export type { BuildOptions, BuildResult, BuiltImage } from './build.js';
export {
  buildImages,
  nodeBinary,
  pruneBundle,
  ROOTFS_PACKAGES,
  requireTools,
  writeContainerfiles,
} from './build.js';
export { baseContainerfile, ociLabels, serviceContainerfile } from './containerfile.js';
export type { ImageSpec } from './images.js';
export {
  APP_DIR,
  defaultPluginHostConfig,
  IMAGE_PLUGINS,
  IMAGE_REPOSITORY,
  IMAGE_UID,
  imageSpecs,
  NODE_PATH,
  startCommand,
} from './images.js';
export { BUILD_DIR, CONTAINERFILES_DIR, OUT_DIR } from './paths.js';
