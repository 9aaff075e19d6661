#!/bin/sh
# Runner entrypoint with --migrator=prisma: `prisma migrate deploy`, then exec
# the server so that signals reach Node and its exit code is kept.
set -e
if [ "${SLIPWAY_MIGRATE_ON_START:-true}" != "false" ]; then
	cd "$SLIPWAY_APP_DIR"
	node node_modules/prisma/build/index.js migrate deploy
	cd - >/dev/null
fi
exec "$@"
