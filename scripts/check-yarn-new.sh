#!/usr/bin/env bash
# Proves that `yarn new` gives plugin authors a working package with no extra wiring: in a
# temporary copy of the repository it creates a backend plugin, then type-checks, lints and tests
# it with the repository's own commands, and checks that it is wired into the backend.
set -euo pipefail
cd "$PORTICO_ROOT"
# shellcheck source=toolchain.sh
source scripts/toolchain.sh
copy=$(mktemp -d /tmp/portico-yarn-new.XXXXXX)
trap 'rm -rf "$copy"' EXIT

log "copying the repository to $copy"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
  [[ -e "$file" ]] && printf '%s\0' "$file"
done | tar --null -T - -cf - | tar -xf - -C "$copy"
# Dependencies by hard links: fast, and yarn replaces rather than edits files it changes.
find . -maxdepth 3 -name node_modules -type d -not -path './node_modules/*' -prune -print0 |
  while IFS= read -r -d '' dir; do
    mkdir -p "$copy/$(dirname "$dir")"
    cp -al "$dir" "$copy/$dir"
  done

cd "$copy"
log "yarn new --select backend-plugin --option pluginId=inventory"
# A new workspace changes yarn.lock, which CI's immutable installs forbid: authors run this locally.
env -u CI yarn new --select backend-plugin --option pluginId=inventory

package=@portico/plugin-inventory-backend
[[ -f plugins/inventory-backend/package.json ]] || die "yarn new did not create plugins/inventory-backend"
grep -q "\"name\": \"$package\"" plugins/inventory-backend/package.json ||
  die "the new package is not named $package"
grep -q "import('$package')" packages/backend/src/index.ts ||
  die "the new plugin was not added to packages/backend/src/index.ts"

log "type check, lint and test the new plugin"
yarn tsc
yarn workspace "$package" lint
CI=true yarn workspace "$package" test
log "yarn new produced a working package: $package"
