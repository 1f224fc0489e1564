#!/usr/bin/env bash
# The system tools the suites drive as real, independent components: kcat (a Kafka client that is
# not kafkajs), prometheus + promtool (rules and scrapes), alertmanager + amtool (the pager), and
# the OCI tools of `make images` and its smoke suite: buildah (builds from scratch), podman (runs
# the images), runc (crun refuses this kernel's hybrid cgroup layout), catatonit (podman --init),
# netavark + aardvark-dns + iptables (bridge networking), dpkg-deb (unpacks the images' root filesystem).
# Installed from Debian's archive when missing; a no-op when every one is on PATH already.
# Needs root or passwordless sudo on first use; a machine without either must provide them.
set -euo pipefail

# command -> Debian package
declare -A tools=([kcat]=kcat [promtool]=prometheus [prometheus]=prometheus
  [prometheus-alertmanager]=prometheus-alertmanager [amtool]=prometheus-alertmanager
  [buildah]=buildah [podman]=podman [runc]=runc [catatonit]=catatonit [dpkg-deb]=dpkg
  [/usr/lib/podman/netavark]=netavark [/usr/lib/podman/aardvark-dns]=aardvark-dns [iptables]=iptables)
missing=()
for cmd in "${!tools[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${tools[$cmd]}")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "system-tools.sh: ${packages[*]} missing, and neither root nor sudo is available to install them." >&2
    echo "  Install them with your package manager (Debian: apt-get install ${packages[*]})." >&2
    exit 1
  fi
fi

echo "system-tools.sh: installing ${packages[*]} from the Debian archive..." >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq >/dev/null
# No daemons are wanted: the tests start each tool themselves on free ports. policy-rc.d keeps the
# packages' service scripts from starting Prometheus and Alertmanager on their default ports.
policy=/usr/sbin/policy-rc.d
placed=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null
  "${as_root[@]}" chmod +x "$policy"
  placed=1
fi
status=0
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null || status=$?
[ -n "$placed" ] && "${as_root[@]}" rm -f "$policy"
if [ "$status" -ne 0 ]; then
  echo "system-tools.sh: apt-get install ${packages[*]} failed (exit $status)" >&2
  exit "$status"
fi
for cmd in "${!tools[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || { echo "system-tools.sh: $cmd still missing after install" >&2; exit 1; }
done
