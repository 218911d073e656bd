#!/usr/bin/env bash
# Back up Halcyon's PostgreSQL database: pg_dump custom format, timestamped, checksummed, with
# retention. Run it from cron or a systemd timer (compose: `docker compose --profile backup run
# --rm backup`; Kubernetes: a CronJob running this script in a postgres:15 image).
#
#   backup.sh [--dir DIR] [--keep-days N] [--keep-min N]
#
# Connection: HALCYON_BACKUP_DATABASE_URL (postgresql://user@host:5432/db; a SQLAlchemy URL
# such as postgresql+asyncpg://... is accepted too), else the libpq variables PGHOST, PGPORT,
# PGUSER, PGDATABASE with the password in PGPASSFILE or PGPASSWORD. Use a pg_dump of the
# server's major version (postgresql-client-15 for PostgreSQL 15): pg_dump refuses a newer
# server.
#
# The dump holds patient data: DIR must be on encrypted storage, readable by the backup user
# only (files are written 0600), and copied off the host (see docs/deployment.md).
set -euo pipefail
umask 077

dir=${HALCYON_BACKUP_DIR:-/var/backups/halcyon}
keep_days=${HALCYON_BACKUP_KEEP_DAYS:-14}
keep_min=${HALCYON_BACKUP_KEEP_MIN:-3}
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=$2; shift 2 ;;
    --keep-days) keep_days=$2; shift 2 ;;
    --keep-min) keep_min=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "backup.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$keep_days$keep_min" in *[!0-9]*) echo "backup.sh: --keep-days and --keep-min take whole numbers" >&2; exit 2 ;; esac

conn=()
if [ -n "${HALCYON_BACKUP_DATABASE_URL:-}" ]; then
  conn=(--dbname "${HALCYON_BACKUP_DATABASE_URL/postgresql+asyncpg:/postgresql:}")
fi

mkdir -p "$dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
file="$dir/halcyon-$stamp.dump"
partial="$file.partial"
trap 'rm -f "$partial"' EXIT

# One consistent snapshot of the whole database; owners and grants are left to the restore.
pg_dump "${conn[@]}" --format=custom --compress=6 --no-password --file "$partial"
# A dump that pg_restore cannot list is not a backup.
pg_restore --list "$partial" >/dev/null
mv "$partial" "$file"
(cd "$dir" && sha256sum "$(basename "$file")" > "$(basename "$file").sha256")
echo "backup written: $file ($(du -h "$file" | cut -f1))"

# Retention: remove dumps older than keep_days, but always keep the newest keep_min.
mapfile -t dumps < <(find "$dir" -maxdepth 1 -name 'halcyon-*.dump' -printf '%T@ %p\n' | sort -rn | cut -d' ' -f2-)
now=$(date +%s)
for i in "${!dumps[@]}"; do
  [ "$i" -lt "$keep_min" ] && continue
  f=${dumps[$i]}
  age_days=$(( (now - $(stat -c %Y "$f")) / 86400 ))
  if [ "$age_days" -ge "$keep_days" ]; then
    rm -f "$f" "$f.sha256"
    echo "expired: $f"
  fi
done
