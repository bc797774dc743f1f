#!/bin/sh
# The certificates of Temporal's mutual TLS (docs/deploy.md): a CA of the cluster, a
# certificate for the server (frontend and internode, name "temporal"), and one client
# certificate for dangvien's services and the admin tools. Run once before the first
# `docker compose up`; keep deploy/temporal/certs/ out of version control and backups of it
# apart from the data. Temporal's server holds no key of dangvien's record or payloads.
set -eu
dir="$(dirname "$0")/certs"
mkdir -p "$dir"
cd "$dir"
umask 077
[ -f ca.key ] || openssl req -x509 -newkey rsa:3072 -nodes -days 1825 -keyout ca.key \
  -out ca.pem -subj "/CN=dangvien temporal CA"
issue() { # name, subject alternative names
  [ -f "$1.key" ] && return 0
  openssl req -newkey rsa:3072 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$1"
  printf 'subjectAltName=%s\n' "$2" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
    -extfile "$1.ext" -out "$1.pem"
  rm -f "$1.csr" "$1.ext"
}
issue temporal "DNS:temporal,DNS:localhost,IP:127.0.0.1"
issue dangvien "DNS:dangvien"
chmod 0644 ca.pem temporal.pem dangvien.pem
echo "certificates in $dir"
