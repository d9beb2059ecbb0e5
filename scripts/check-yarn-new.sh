#!/usr/bin/env bash
# Proves that `yarn new` gives plugin authors working packages with no extra wiring: in a
# temporary copy of the repository it creates a backend plugin and a frontend plugin, type-checks,
# lints and tests them with the repository's own commands, and checks that the backend plugin is
# wired into the backend and that the app (which discovers its plugins, `app.packages: all`) ships
# the frontend plugin's page.
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
# Dependencies by hard links: fast, and yarn replaces rather than edits the packages' files.
find . -maxdepth 3 -name node_modules -type d -not -path './node_modules/*' -prune -print0 |
  while IFS= read -r -d '' dir; do
    mkdir -p "$copy/$(dirname "$dir")"
    cp -al "$dir" "$copy/$dir"
  done
# Except yarn's state file, which yarn rewrites in place: linked, the copy's state would become
# the repository's.
cp --remove-destination node_modules/.yarn-state.yml "$copy/node_modules/.yarn-state.yml"
# The linked packages are built already (native addons included), as in an author's checkout;
# yarn would build them all again only because the copy lives at another path (80 s here).
export YARN_ENABLE_SCRIPTS=0

cd "$copy"
log "yarn new --select backend-plugin --option pluginId=inventory"
# A new workspace changes yarn.lock, which CI's immutable installs forbid: authors run this locally.
env -u CI -u YARN_ENABLE_IMMUTABLE_INSTALLS yarn new --select backend-plugin --option pluginId=inventory
log "yarn new --select frontend-plugin --option pluginId=inventory"
env -u CI -u YARN_ENABLE_IMMUTABLE_INSTALLS yarn new --select frontend-plugin --option pluginId=inventory

backend_package=@portico/plugin-inventory-backend
frontend_package=@portico/plugin-inventory
[[ -f plugins/inventory-backend/package.json ]] || die "yarn new did not create plugins/inventory-backend"
[[ -f plugins/inventory/package.json ]] || die "yarn new did not create plugins/inventory"
grep -q "\"name\": \"$backend_package\"" plugins/inventory-backend/package.json ||
  die "the new backend package is not named $backend_package"
grep -q "\"name\": \"$frontend_package\"" plugins/inventory/package.json ||
  die "the new frontend package is not named $frontend_package"
grep -q "import('$backend_package')" packages/backend/src/index.ts ||
  die "the new backend plugin was not added to packages/backend/src/index.ts"
grep -q "\"$frontend_package\"" packages/app/package.json ||
  die "the new frontend plugin is not a dependency of packages/app, so the app cannot discover it"

log "type check, lint and test the new plugins"
yarn tsc
yarn workspace "$backend_package" lint
yarn workspace "$frontend_package" lint
CI=true yarn workspace "$backend_package" test
CI=true yarn workspace "$frontend_package" test

log "build the app: it must ship the new plugin without hand wiring"
yarn workspace app build >/dev/null
grep -lq 'pluginId:"inventory"' packages/app/dist/static/*.js ||
  die "the app's build does not contain the new frontend plugin (pluginId inventory)"
log "yarn new produced working packages: $backend_package and $frontend_package, in the app"
