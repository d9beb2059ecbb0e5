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
    summary+=("$(printf '%-28s ok   %4ss' "$name" $((SECONDS - started)))")
  else
    summary+=("$(printf '%-28s FAIL %4ss' "$name" $((SECONDS - started)))")
    print_summary
    printf '\n\033[1;31mFAILED in phase: %s\033[0m\n' "$name"
    exit 1
  fi
}
# Runs several commands side by side, each with its output in a file printed when it ends;
# fails when any fails. For checks that are each too short to keep both cores busy.
side_by_side() {
  local dir names=() pids=() failed=0 i
  dir=$(mktemp -d)
  while (($#)); do
    names+=("$1")
    bash -c "$2" >"$dir/${#names[@]}.log" 2>&1 &
    pids+=($!)
    shift 2
  done
  for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then
      printf -- '-- %s: ok\n' "${names[$i]}"
    else
      printf -- '-- %s: FAILED\n' "${names[$i]}"
      failed=1
    fi
    cat "$dir/$((i + 1)).log"
  done
  rm -rf "$dir"
  return $failed
}

static_checks() {
  side_by_side \
    "type check" "yarn tsc" \
    "lint" "yarn backstage-cli repo lint" \
    "prettier" "yarn prettier:check"
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
  # Three workers on 2 cores: the backend suites spend most of their time waiting on servers,
  # schedulers and timers (one worker kept the CPU 28 % busy), and test backends' PostgreSQL
  # pools keep no idle connections, so three files' backends fit in the server's 100.
  CI=true NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules" \
    yarn backstage-cli repo test --maxWorkers=3 \
    --testSequencer "$PORTICO_ROOT/scripts/jest/sequencer.js"
}

browser_tests() {
  # The production image's tests (in the phase before) build the app as part of the backend
  # bundle and mark it; it is built here only when they did not or its sources changed since.
  bash scripts/build-app-if-changed.sh && yarn playwright test
}

export BACKSTAGE_TEST_DISABLE_DOCKER=1
phase "toolchain" ensure_toolchain
phase "system packages" system_packages
phase "chart tools" chart_tools
phase "postgresql" postgres
phase "type check, lint, prettier" static_checks
# The `yarn new` check works in its own copy of the repository and mostly keeps the CPU busy,
# while the backend tests mostly wait on servers and timers: it runs beside them.
yarn_new_log=$(mktemp)
yarn_new_started=$SECONDS
bash scripts/check-yarn-new.sh >"$yarn_new_log" 2>&1 &
yarn_new_pid=$!
trap 'kill "$yarn_new_pid" 2>/dev/null; rm -f "$yarn_new_log"' EXIT
yarn_new_result() {
  local status=0
  wait "$yarn_new_pid" || status=$?
  cat "$yarn_new_log"
  log "the yarn new check took $((SECONDS - yarn_new_started))s beside the tests"
  return $status
}
phase "unit+backend tests" unit_and_backend_tests
phase "yarn new (beside tests)" yarn_new_result
phase "browser tests" browser_tests
print_summary
printf '\n\033[1;32mAll tests passed.\033[0m\n'
