#!/usr/bin/env bash
# Builds the production bundle of the app (packages/app/dist) unless it is newer than every
# source it is built from: the app, the frontend packages it bundles, and the lockfile. The
# backend serves that bundle, minified, on its own port.
set -euo pipefail
cd "$PORTICO_ROOT"
# shellcheck source=toolchain.sh
source scripts/toolchain.sh

stamp=packages/app/dist/.built-from-sources
sources=(packages/app/src packages/app/public packages/app/package.json yarn.lock)
# Every frontend package of the workspace that the app bundles.
for package_json in plugins/*/package.json; do
  if grep -qE '"role": "(frontend-plugin|web-library|common-library)"' "$package_json"; then
    sources+=("$(dirname "$package_json")/src" "$package_json")
  fi
done

if [[ -f "$stamp" ]] && [[ -z "$(find "${sources[@]}" -newer "$stamp" -print -quit 2>/dev/null)" ]]; then
  log "the app's production build is up to date"
  exit 0
fi
log "building the app (production bundle; about half a minute, only when its sources change)"
started=$(mktemp)
trap 'rm -f "$started"' EXIT
yarn workspace app build >/dev/null || die "the app did not build: run 'yarn workspace app build' to see why"
# The build's start, so a source edited during the build still counts as newer.
touch -r "$started" "$stamp"
