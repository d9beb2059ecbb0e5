# Sourced by start.sh. With `./portal start --ldap` (or PORTICO_LDAP=1) the organization comes from
# a local OpenLDAP slapd seeded with the same demo org (demo-data/org.ldif) instead of
# demo-data/org.yaml: the portal syncs it every minute through the guarded LDAP provider. The
# server runs unprivileged on 127.0.0.1:$PORTICO_LDAP_PORT with its data in $PORTICO_DATA_DIR/slapd
# (changes made with ldapmodify survive restarts; delete the folder to reseed) and stops with the
# portal.
if [[ "${PORTICO_LDAP:-}" == 1 || " $* " == *" --ldap "* ]]; then
  PORTICO_LDAP_PORT="${PORTICO_LDAP_PORT:-3890}"
  ldap_dir="$PORTICO_DATA_DIR/slapd"
  bash scripts/ensure-system-packages.sh ldap || die "--ldap needs OpenLDAP's slapd and ldap-utils"
  port_in_use "$PORTICO_LDAP_PORT" &&
    die "port $PORTICO_LDAP_PORT is already in use (set PORTICO_LDAP_PORT to use another)"
  seed=false
  [[ -f "$ldap_dir/data.mdb" ]] || seed=true
  mkdir -p "$ldap_dir"
  cat >"$ldap_dir/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile $ldap_dir/slapd.pid
database mdb
suffix "dc=harborline,dc=example"
rootdn "cn=admin,dc=harborline,dc=example"
rootpw harborline-admin
directory $ldap_dir
overlay memberof
CONF
  log "starting OpenLDAP on 127.0.0.1:$PORTICO_LDAP_PORT (the organization comes from it)"
  /usr/sbin/slapd -f "$ldap_dir/slapd.conf" -h "ldap://127.0.0.1:$PORTICO_LDAP_PORT/" ||
    die "slapd did not start (see above)"
  if $seed; then
    ldapadd -x -H "ldap://127.0.0.1:$PORTICO_LDAP_PORT" -D cn=admin,dc=harborline,dc=example \
      -w harborline-admin -f demo-data/org.ldif >/dev/null || die "seeding slapd from demo-data/org.ldif failed"
  fi
  previous_exit_trap="$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")"
  # shellcheck disable=SC2064
  trap "${previous_exit_trap:+$previous_exit_trap; }kill \$(cat '$ldap_dir/slapd.pid') 2>/dev/null || true" EXIT
  export PORTICO_LDAP_URL="ldap://127.0.0.1:$PORTICO_LDAP_PORT"
  # The org's users and groups from LDAP; the rest of the demo catalog from its files, minus
  # Users and Groups (demo-data/software.yaml; environment config replaces these two keys).
  export APP_CONFIG_catalog_locations='[{"type":"file","target":"../../catalog-info.yaml"},{"type":"file","target":"../../demo-data/software.yaml","rules":[{"allow":["Component","System","API","Resource","Location","Domain","Template"]}]}]'
  export APP_CONFIG_catalog_providers_ldapOrg='{"harborline":{"target":"'"$PORTICO_LDAP_URL"'","bind":{"dn":"cn=portico-reader,ou=services,dc=harborline,dc=example","secret":"harborline-reader"},"users":{"dn":"ou=people,dc=harborline,dc=example","options":{"filter":"(objectClass=inetOrgPerson)"},"map":{"displayName":"displayName","email":"mail"}},"groups":{"dn":"ou=groups,dc=harborline,dc=example","options":{"filter":"(objectClass=groupOfNames)"},"map":{"type":"businessCategory","displayName":"displayName","email":"mail"}},"schedule":{"frequency":{"minutes":1},"timeout":{"minutes":1},"initialDelay":{"seconds":5}}}}'
fi
