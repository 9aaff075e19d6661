# Shared helpers for hack/dev-engine. Sourced, never run.
# shellcheck shell=bash

DAGGER_VERSION=v0.21.8
SLIPWAY_CACHE=${SLIPWAY_CACHE:-$HOME/.cache/slipway}
ENGINE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REGISTRY_ADDR=${SLIPWAY_REGISTRY_ADDR:-127.0.0.1:5000}
RUN_DIR=${SLIPWAY_RUN_DIR:-/run/slipway}
mkdir -p "$SLIPWAY_CACHE" "$RUN_DIR"

log() { printf '[dev-engine] %s\n' "$*" >&2; }
die() { printf '[dev-engine] error: %s\n' "$*" >&2; exit 1; }

# step NAME CMD...: run one step of `up`, failing with its name and log tail.
step() {
	local name=$1; shift
	local logf="$SLIPWAY_CACHE/logs/$name.log" t0=$SECONDS
	mkdir -p "$SLIPWAY_CACHE/logs"
	log "$name ..."
	if ! "$@" >"$logf" 2>&1; then
		tail -n 25 "$logf" >&2
		die "step '$name' failed (full log: $logf)"
	fi
	log "$name done in $((SECONDS - t0))s"
}

# fingerprint ARGS...: a stable hash of strings and file contents (for files
# that exist) that decides whether a cached item is still current.
fingerprint() {
	local a
	for a in "$@"; do
		if [ -f "$a" ]; then sha256sum "$a"; elif [ -d "$a" ]; then (cd "$a" && find . -type f -print0 | sort -z | xargs -0 sha256sum); else printf '%s\n' "$a"; fi
	done | sha256sum | cut -c1-32
}

# fresh KEY FP: true when the stamp for KEY records fingerprint FP.
fresh() { [ "$(cat "$SLIPWAY_CACHE/stamps/$1" 2>/dev/null)" = "$2" ]; }
# stamp KEY FP: record that KEY was built from fingerprint FP.
stamp() { mkdir -p "$SLIPWAY_CACHE/stamps"; printf '%s' "$2" >"$SLIPWAY_CACHE/stamps/$1"; }

# need_pkgs PKG...: apt-get install the Debian packages that are missing.
need_pkgs() {
	local missing=() p
	for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
	((${#missing[@]})) || return 0
	log "installing Debian packages: ${missing[*]}"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# parallel NAME CMDS NAME CMDS: run each command list in a subshell at once;
# fail, naming it, when one fails.
parallel() {
	local names=() pids=() i rc=0
	while (($#)); do
		names+=("$1")
		(eval "$2") &
		pids+=($!)
		shift 2
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || { log "${names[$i]} failed"; rc=1; }
	done
	return "$rc"
}

# pid_alive FILE: true when the PID recorded in FILE runs.
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
