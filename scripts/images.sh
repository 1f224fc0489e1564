#!/usr/bin/env bash
# make images: one OCI image per deployable (gateway, plugin host, sandbox, all-in-one), built with
# buildah from scratch (infra/images/README.md): a Debian root filesystem, Node.js 24 and each
# service's production bundle; also built from its Containerfile; exported as OCI archives under
# infra/images/.out/. Names images to build only those (scripts/images.sh gateway sandbox);
# --no-archives skips the export, --no-containerfiles the Containerfile builds.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$("$root/scripts/bootstrap.sh"):$PATH"
# buildah, podman, runc, dpkg-deb: installed from the Debian archive when missing.
scripts/system-tools.sh
if [ ! -f infra/images/dist/main.js ]; then
  pnpm --filter @paystream/images... run build >/dev/null
fi
exec node infra/images/dist/main.js "$@"
