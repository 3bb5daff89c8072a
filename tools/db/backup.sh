#!/usr/bin/env bash
# Dump the database named by DATABASE_URL (PostgreSQL) to a compressed,
# restorable file: tools/db/backup.sh [FILE]   (default: vaxfleet-YYYYmmdd-HHMMSS.dump)
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
out="${1:-vaxfleet-$(date -u +%Y%m%d-%H%M%S).dump}"
pg_dump --format=custom --no-owner --no-privileges --file="$out" "$DATABASE_URL"
echo "wrote $out ($(du -h "$out" | cut -f1))"
