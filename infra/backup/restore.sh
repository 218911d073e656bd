#!/usr/bin/env bash
# Restore a Halcyon backup (made by backup.sh) into a named database.
#
#   restore.sh DUMP DATABASE [--create] [--jobs N]
#
# --create  create DATABASE first (it must not exist). Without it DATABASE must exist and be
#           empty: this script never overwrites a database that has tables.
# Connection: the libpq variables PGHOST, PGPORT, PGUSER (and PGPASSFILE/PGPASSWORD) of a role
# that may create databases; the restored objects belong to that role (--no-owner).
# The checksum next to the dump (DUMP.sha256) is checked when it is there.
#
# After a restore: `HALCYON_DATABASE_URL=... halcyon audit verify`, then `halcyon migrate` if
# the running release is newer than the backup, then point the API at it.
set -euo pipefail

if [ $# -lt 2 ]; then sed -n '2,13p' "$0"; exit 2; fi
dump=$1; db=$2; shift 2
create=0; jobs=1
while [ $# -gt 0 ]; do
  case "$1" in
    --create) create=1; shift ;;
    --jobs) jobs=$2; shift 2 ;;
    *) echo "restore.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$db" in *[!A-Za-z0-9_]*|"") echo "restore.sh: database names are letters, digits and _" >&2; exit 2 ;; esac
[ -r "$dump" ] || { echo "restore.sh: cannot read $dump" >&2; exit 2; }

if [ -f "$dump.sha256" ]; then
  (cd "$(dirname "$dump")" && sha256sum --check --quiet "$(basename "$dump").sha256") \
    || { echo "restore.sh: $dump does not match its checksum" >&2; exit 1; }
fi

psql_admin=(psql --no-password --quiet --no-psqlrc -v ON_ERROR_STOP=1 --dbname postgres)
if [ "$create" = 1 ]; then
  "${psql_admin[@]}" -c "CREATE DATABASE \"$db\""
else
  tables=$(psql --no-password --no-psqlrc -tA --dbname "$db" \
    -c "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
  if [ "$tables" != 0 ]; then
    echo "restore.sh: $db already has $tables tables; restore into a new database (--create)" >&2
    exit 1
  fi
fi

args=(--no-password --dbname "$db" --no-owner --no-privileges --exit-on-error)
if [ "$jobs" -gt 1 ]; then args+=(--jobs "$jobs"); else args+=(--single-transaction); fi
pg_restore "${args[@]}" "$dump"
echo "restored $dump into $db"
