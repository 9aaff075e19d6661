#!/bin/sh
# Entrypoint of the node stand-in image: run the command as given, but hand
# the arguments to node when the first one is an option (-e ...), is not a
# command on PATH (app.js) or is a file that cannot be executed.
set -e
case "${1:-}" in
-*) set -- node "$@" ;;
*)
	if [ -z "$(command -v -- "${1:-}" 2>/dev/null)" ] || { [ -f "$1" ] && [ ! -x "$1" ]; }; then
		set -- node "$@"
	fi
	;;
esac
exec "$@"
