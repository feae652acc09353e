#!/bin/sh
# Dump the register's PostgreSQL database (custom format, restorable with pg_restore) into the folder
# given, keeping 14 days. The pepper and the key-encryption key are NOT in the dump: back them up apart
# (docs/deploy.md, Backups); without them pseudonyms cannot be recomputed and signing keys cannot be opened.
set -eu
target="${1:?usage: backup.sh FOLDER}"
url="${MICROCRED_DATABASE_URL:?MICROCRED_DATABASE_URL is not set}"
# pg_dump takes a libpq URL: drop SQLAlchemy's driver name (postgresql+psycopg:// -> postgresql://)
libpq_url=$(printf '%s' "$url" | sed 's|^postgresql+[a-z0-9]*://|postgresql://|')
mkdir -p "$target"
umask 077
stamp=$(date -u +%Y%m%dT%H%M%SZ)
pg_dump --format=custom --no-owner --file="$target/microcred-$stamp.dump" "$libpq_url"
find "$target" -name 'microcred-*.dump' -mtime +14 -delete
