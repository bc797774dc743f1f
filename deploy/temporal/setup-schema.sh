#!/bin/sh
# Temporal's schema job (temporalio/admin-tools), run by compose before the server on every
# `up`: creates the `temporal` and `temporal_visibility` databases when missing, then brings
# both schemas to the version the admin-tools image ships. Every step is idempotent, so after
# bumping the server and admin-tools images together this is the whole upgrade.
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${POSTGRES_PWD:?}"
SCHEMA_DIR=/etc/temporal/schema/postgresql/v12

export SQL_PASSWORD="$POSTGRES_PWD"  # by environment: not visible in the process list

sql_tool() {
  temporal-sql-tool --plugin "$DB" --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" \
    -u "$POSTGRES_USER" "$@"
}

setup() {  # database, schema directory
  sql_tool --db "$1" create
  sql_tool --db "$1" setup-schema -v 0.0
  sql_tool --db "$1" update-schema -d "$SCHEMA_DIR/$2/versioned"
}

setup "${DBNAME:-temporal}" temporal
setup "${VISIBILITY_DBNAME:-temporal_visibility}" visibility
echo "temporal-schema: both schemas are current"
