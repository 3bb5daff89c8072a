#!/usr/bin/env bash
# Restore a dump made by backup.sh into the (empty) database TARGET_URL:
#   TARGET_URL=postgres://... tools/db/restore.sh FILE
set -euo pipefail
: "${TARGET_URL:?set TARGET_URL to the empty database to restore into}"
file="${1:?usage: TARGET_URL=... tools/db/restore.sh FILE}"
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$TARGET_URL" "$file"
echo "restored $file"
