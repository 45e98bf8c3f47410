#!/bin/sh
# fieldbook-hub-backup - one night's checked copy of the hub's database,
# then remove all but the newest $FIELDBOOK_HUB_KEEP copies.
# Run by fieldbook-hub-backup.service; safe while the hub serves (the
# copy is taken with `fieldbook-hub backup`, never cp).  A second run on
# the same day replaces that day's copy.
#
#   FIELDBOOK_HUB_DB       the database (default /var/lib/fieldbook-hub/hub.db)
#   FIELDBOOK_HUB_STORE    a PostgreSQL store instead (wins over the database);
#                          the copy is an SQLite hub file all the same
#   FIELDBOOK_HUB_BACKUPS  where copies go (default /var/lib/fieldbook-hub/backups)
#   FIELDBOOK_HUB_KEEP     how many copies to keep (default 14)
#   FIELDBOOK_HUB          the program (default fieldbook-hub on PATH)
set -eu

db=${FIELDBOOK_HUB_DB:-/var/lib/fieldbook-hub/hub.db}
dir=${FIELDBOOK_HUB_BACKUPS:-/var/lib/fieldbook-hub/backups}
keep=${FIELDBOOK_HUB_KEEP:-14}
hub=${FIELDBOOK_HUB:-fieldbook-hub}

case $keep in
'' | *[!0-9]*) echo "fieldbook-hub-backup: FIELDBOOK_HUB_KEEP must be a number, not '$keep'" >&2; exit 64 ;;
esac
[ "$keep" -ge 1 ] || keep=1

umask 077
mkdir -p "$dir"
"$hub" --db "$db" backup "$dir/hub-$(date +%Y-%m-%d).db"

# The names sort by date, and so does the glob: remove the oldest
# beyond $keep.
set -- "$dir"/hub-[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9].db
[ -e "$1" ] || set --
while [ "$#" -gt "$keep" ]; do
	rm -f "$1"
	echo "fieldbook-hub-backup: removed ${1##*/} (keeping $keep)"
	shift
done
