#!/bin/sh
# Creates dangvien's Temporal namespace when it is missing (temporalio/admin-tools, after the
# server is up). Retention is how long Temporal keeps a closed workflow's history: the record
# of what happened is dangvien's event store, not Temporal, so a month is plenty.
set -eu
: "${TEMPORAL_ADDRESS:?}" "${NAMESPACE:?}"

tries=0
until temporal operator cluster health --address "$TEMPORAL_ADDRESS"; do
  tries=$((tries + 1))
  [ "$tries" -lt 30 ] || { echo "Temporal at $TEMPORAL_ADDRESS is not healthy" >&2; exit 1; }
  sleep 2
done

if temporal operator namespace describe --namespace "$NAMESPACE" --address "$TEMPORAL_ADDRESS" \
  >/dev/null 2>&1; then
  echo "namespace $NAMESPACE exists"
else
  temporal operator namespace create --namespace "$NAMESPACE" \
    --retention "${RETENTION:-30d}" --address "$TEMPORAL_ADDRESS"
fi
