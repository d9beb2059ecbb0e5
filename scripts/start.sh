#!/usr/bin/env bash
# ./portal start: the local identity provider, then the backend on 7007 serving the app's
# production build (built only when the app's sources changed), with the embedded SQLite
# database and the Harborline demo catalog.
# ./portal dev (--dev): the same, but the app from the hot-reloading development server on 3000,
# for people changing the app.
set -euo pipefail
cd "$PORTICO_ROOT"
# shellcheck source=toolchain.sh
source scripts/toolchain.sh
ensure_toolchain
source scripts/dev-env.sh

dev=false
[[ "${1:-}" == "--dev" ]] && dev=true
if $dev; then
  ports=(3000 7007 "$DEV_IDP_PORT")
  url=http://localhost:3000
else
  ports=(7007 "$DEV_IDP_PORT")
  url=http://localhost:7007
  # The backend serves the app on its own address.
  export APP_CONFIG_app_baseUrl="$url" APP_CONFIG_backend_cors_origin="$url"
fi

for port in "${ports[@]}"; do
  if port_in_use "$port"; then
    die "port $port is already in use: stop the process that listens there (is the portal already running?)"
  fi
done

log "checking configuration"
yarn backstage-cli config:check --strict --config app-config.yaml >/dev/null ||
  die "app-config.yaml is invalid (see the messages above, which name the keys)"

bash scripts/ensure-system-packages.sh techdocs || true
$dev || bash scripts/build-app-if-changed.sh

log "starting the local identity provider on 127.0.0.1:$DEV_IDP_PORT"
node packages/dev-idp/src/main.mjs --users demo-data/org.yaml --port "$DEV_IDP_PORT" &
idp_pid=$!
trap 'kill "$idp_pid" 2>/dev/null || true' EXIT
# shellcheck source=local-ldap.sh
source scripts/local-ldap.sh "$@"
for _ in $(seq 1 50); do
  curl -fsS "$AUTH_OIDC_METADATA_URL" >/dev/null 2>&1 && break
  kill -0 "$idp_pid" 2>/dev/null || die "the local identity provider did not start (see above)"
  sleep 0.2
done

cat <<BANNER

  Portico is starting. When the backend is up, open:

      $url

  Sign in with "Harborline SSO" and pick a demo user, for example:
$(node scripts/list-demo-users.mjs | sed 's/^/      /')

  Data (SQLite, TechDocs) lives in ${PORTICO_DATA_DIR}; delete it to start afresh.
  Stop with Ctrl-C.

BANNER

if $dev; then
  yarn start
else
  yarn workspace backend start --config ../../app-config.yaml
fi
