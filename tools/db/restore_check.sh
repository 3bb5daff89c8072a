#!/usr/bin/env bash
# Proves a backup can be restored: dumps DATABASE_URL, restores the dump into
# a fresh scratch database on the same server, compares every table's row
# count, then drops the scratch database. Exit 0 only if all counts match.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the database to check}"
here="$(cd "$(dirname "$0")" && pwd)"
scratch="vaxfleet_restore_check_$$"
server_url="${DATABASE_URL%/*}"
dump="$(mktemp -t vaxfleet-XXXXXX.dump)"
trap 'rm -f "$dump"; psql -q "$server_url/postgres" -c "DROP DATABASE IF EXISTS $scratch" >/dev/null 2>&1 || true' EXIT

"$here/backup.sh" "$dump"
psql -q "$server_url/postgres" -c "CREATE DATABASE $scratch"
TARGET_URL="$server_url/$scratch" "$here/restore.sh" "$dump"

counts() {
  psql -At "$1" -c "SELECT table_name FROM information_schema.tables WHERE table_schema='public' AND table_type='BASE TABLE' ORDER BY 1" |
    while read -r table; do
      echo "$table $(psql -At "$1" -c "SELECT count(*) FROM \"$table\"")"
    done
}
if diff <(counts "$DATABASE_URL") <(counts "$server_url/$scratch"); then
  echo "restore check passed: $(counts "$DATABASE_URL" | wc -l) tables, same row counts"
else
  echo "restore check FAILED: row counts differ (above)" >&2
  exit 1
fi
