#!/usr/bin/env bash
# ./portal test: the whole test suite, phase by phase, with the time each took.
#   PORTICO_REQUIRE_POSTGRES=1   fail (instead of warn) when PostgreSQL is not reachable
#   PORTICO_TEST_POSTGRES_URL    where PostgreSQL is (default postgresql://postgres@127.0.0.1:5432)
set -uo pipefail
cd "$PORTICO_ROOT"
# shellcheck source=toolchain.sh
source scripts/toolchain.sh

declare -a summary=()
phase() {
  local name="$1"
  shift
  printf '\n\033[1;34m== %s\033[0m\n' "$name"
  local started=$SECONDS
  if "$@"; then
    summary+=("$(printf '%-22s ok   %4ss' "$name" $((SECONDS - started)))")
  else
    summary+=("$(printf '%-22s FAIL %4ss' "$name" $((SECONDS - started)))")
    print_summary
    printf '\n\033[1;31mFAILED in phase: %s\033[0m\n' "$name"
    exit 1
  fi
}
print_summary() {
  printf '\n== Summary (total %ss)\n' "$SECONDS"
  printf '  %s\n' "${summary[@]}"
}

postgres() {
  local url="${PORTICO_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432}"
  if node -e '
      const { Client } = require("pg");
      const c = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 3000 });
      c.connect().then(() => c.query("select 1")).then(() => c.end()).then(
        () => process.exit(0), () => process.exit(1));
    ' "$url"; then
    export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="$url"
    log "PostgreSQL reachable at $url: backend tests run on SQLite and PostgreSQL"
    return 0
  fi
  if [[ "${PORTICO_REQUIRE_POSTGRES:-}" == 1 ]]; then
    die "PostgreSQL is required but not reachable at $url"
  fi
  unset BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
  printf '\n\033[1;33m%s\n%s\033[0m\n\n' \
    "WARNING: PostgreSQL is NOT reachable at $url." \
    "WARNING: every PostgreSQL test case is SKIPPED; only SQLite is tested. Set PORTICO_TEST_POSTGRES_URL."
}

system_packages() {
  bash scripts/ensure-system-packages.sh browser &&
    bash scripts/ensure-system-packages.sh techdocs &&
    bash scripts/ensure-system-packages.sh chart &&
    bash scripts/ensure-system-packages.sh metrics &&
    bash scripts/ensure-system-packages.sh ldap
}

chart_tools() {
  node charts/portico/scripts/install-tools.js
}

unit_and_backend_tests() {
  # The Kubernetes backend loads an ES module that Jest can only import with VM modules enabled.
  # One worker: several suites start whole backends, and two at once starve each other on 2 cores.
  CI=true NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules" \
    yarn backstage-cli repo test --maxWorkers=1
}

browser_tests() {
  yarn workspace app build && yarn playwright test
}

export BACKSTAGE_TEST_DISABLE_DOCKER=1
phase "toolchain" ensure_toolchain
phase "system packages" system_packages
phase "chart tools" chart_tools
phase "postgresql" postgres
phase "type check" yarn tsc
phase "lint" yarn backstage-cli repo lint
phase "prettier" yarn prettier:check
phase "unit+backend tests" unit_and_backend_tests
phase "yarn new" bash scripts/check-yarn-new.sh
phase "browser tests" browser_tests
print_summary
printf '\n\033[1;32mAll tests passed.\033[0m\n'
