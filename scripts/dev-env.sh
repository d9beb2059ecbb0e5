#!/usr/bin/env bash
# Sourced by the start and test scripts: local secrets and the local identity provider's address.
# Secrets are generated once into .data/dev-secrets.env (git-ignored) and only ever reach the
# portal through environment variables, as in production.

PORTICO_DATA_DIR="${PORTICO_DATA_DIR:-$PORTICO_ROOT/.data}"
export PORTICO_DATA_DIR
mkdir -p "$PORTICO_DATA_DIR"
secrets_file="$PORTICO_DATA_DIR/dev-secrets.env"
if [[ ! -f "$secrets_file" ]]; then
  (
    umask 077
    {
      echo "AUTH_SESSION_SECRET=$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))')"
      echo "AUTH_OIDC_CLIENT_SECRET=$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))')"
    } >"$secrets_file"
  )
fi
set -a
# shellcheck disable=SC1090
source "$secrets_file"
set +a
export DEV_IDP_PORT="${DEV_IDP_PORT:-7010}"
export AUTH_OIDC_CLIENT_ID="${AUTH_OIDC_CLIENT_ID:-portico-local}"
export AUTH_OIDC_METADATA_URL="${AUTH_OIDC_METADATA_URL:-http://127.0.0.1:$DEV_IDP_PORT/.well-known/openid-configuration}"

port_in_use() {
  node -e '
    const s = require("net").createServer();
    s.once("error", () => process.exit(0));
    s.listen(Number(process.argv[1]), () => s.close(() => process.exit(1)));
  ' "$1"
}
