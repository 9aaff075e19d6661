#!/usr/bin/env bash
# Entrypoint of the postgres stand-in image. It keeps the official image's
# contract: on the first start with an empty PGDATA it creates the cluster from
# the POSTGRES_* variables and runs /docker-entrypoint-initdb.d/*, then it runs
# postgres as the postgres user (root drops to it with setpriv).
set -Eeo pipefail

say() { printf 'postgres-entrypoint: %s\n' "$*" >&2; }
fail() {
	say "error: $*"
	exit 1
}

# from_file VAR: take VAR from the file named by VAR_FILE, when that is set.
from_file() {
	local var=$1 file_var=${1}_FILE
	[ -n "${!file_var:-}" ] || return 0
	[ -z "${!var:-}" ] || fail "both $var and $file_var are set: set only one of them"
	[ -r "${!file_var}" ] || fail "$file_var names '${!file_var}', which cannot be read"
	export "$var=$(<"${!file_var}")"
	unset "$file_var"
}

# info_only ARGS...: true when postgres is asked for help or its version only.
info_only() {
	local a
	for a; do
		case "$a" in -'?' | --help | --describe-config | -V | --version) return 0 ;; esac
	done
	return 1
}

# psql_local ARGS...: psql as the superuser over the local socket.
psql_local() {
	psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
}

# run_initdb_scripts: run /docker-entrypoint-initdb.d/* in name order.
run_initdb_scripts() {
	local f
	for f in /docker-entrypoint-initdb.d/*; do
		[ -e "$f" ] || continue
		case "$f" in
		*.sh)
			if [ -x "$f" ]; then
				say "running $f"
				"$f"
			else
				say "sourcing $f"
				# shellcheck disable=SC1090
				. "$f"
			fi
			;;
		*.sql)
			say "running $f"
			psql_local --dbname "$POSTGRES_DB" -f "$f"
			;;
		*.sql.gz)
			say "running $f"
			gunzip -c "$f" | psql_local --dbname "$POSTGRES_DB"
			;;
		*) say "ignoring $f (only *.sh, *.sql and *.sql.gz are run)" ;;
		esac
	done
}

init_cluster() {
	from_file POSTGRES_PASSWORD
	from_file POSTGRES_USER
	from_file POSTGRES_DB
	from_file POSTGRES_INITDB_ARGS
	export POSTGRES_USER="${POSTGRES_USER:-postgres}"
	export POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
	local auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
	if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
		fail "the database is not initialised and no superuser password is set.
  Set POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) to a non-empty password, or
  set POSTGRES_HOST_AUTH_METHOD=trust to accept every connection without one
  (only for throwaway databases)."
	fi

	local extra=()
	eval "extra=(${POSTGRES_INITDB_ARGS:-})"
	if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then
		extra+=(--waldir "$POSTGRES_INITDB_WALDIR")
	fi
	say "initialising the database in $PGDATA for user $POSTGRES_USER"
	if [ -n "${POSTGRES_PASSWORD:-}" ]; then
		initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") "${extra[@]}"
	else
		initdb --username="$POSTGRES_USER" "${extra[@]}"
	fi
	printf '\n# Added by the entrypoint: connections from other hosts.\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

	# A temporary server that listens on the local socket only.
	export PGPASSWORD="${PGPASSWORD:-${POSTGRES_PASSWORD:-}}"
	pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start
	if [ "$POSTGRES_DB" != postgres ]; then
		local found
		found=$(psql_local --dbname postgres -tA --set db="$POSTGRES_DB" <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")
		if [ "$found" != 1 ]; then
			say "creating database $POSTGRES_DB"
			psql_local --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
		fi
	fi
	run_initdb_scripts
	pg_ctl -D "$PGDATA" -m fast -w stop
	unset PGPASSWORD
	say "initialisation done; starting postgres"
}

# Options alone ("-c x=y") are options for postgres.
if [ "$#" -eq 0 ] || [ "${1:0:1}" = - ]; then
	set -- postgres "$@"
fi
if [ "$1" != postgres ] || info_only "$@"; then
	exec "$@"
fi

export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
if [ "$(id -u)" = 0 ]; then
	# Root prepares the directories, then runs this script again as postgres.
	mkdir -p "$PGDATA" /run/postgresql
	find "$PGDATA" \! -user postgres -exec chown postgres:postgres {} +
	chmod 00700 "$PGDATA"
	chown postgres:postgres /run/postgresql
	chmod 03775 /run/postgresql
	HOME=$(getent passwd postgres | cut -d: -f6)
	export HOME
	exec setpriv --reuid=postgres --regid=postgres --init-groups -- "${BASH_SOURCE[0]}" "$@"
fi

if [ -s "$PGDATA/PG_VERSION" ]; then
	say "$PGDATA already holds a database: skipping initialisation"
else
	mkdir -p "$PGDATA"
	chmod 00700 "$PGDATA" 2>/dev/null || true
	init_cluster
fi
exec "$@"
