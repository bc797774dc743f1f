#!/bin/sh
# Run once by the postgres image, when its data volume is first initialized
# (/docker-entrypoint-initdb.d): a login role for Temporal, allowed to create its two databases
# (the temporal-schema job creates them), and one for dangvien, owning its database (events,
# read models, accounts). Neither is a superuser. Passwords come from the environment.
set -eu
: "${TEMPORAL_DB_PASSWORD:?}" "${DANGVIEN_POSTGRES_PASSWORD:?}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  --set temporal_password="$TEMPORAL_DB_PASSWORD" \
  --set dangvien_password="$DANGVIEN_POSTGRES_PASSWORD" <<'SQL'
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
CREATE ROLE dangvien LOGIN PASSWORD :'dangvien_password';
CREATE DATABASE dangvien OWNER dangvien ENCODING 'UTF8';
SQL
