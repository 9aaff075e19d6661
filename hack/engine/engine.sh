# Installs and runs the Dagger engine as a host process. Sourced by
# hack/dev-engine after lib.sh, binaries.sh, images.sh and testregistry.sh.
# shellcheck shell=bash

ENGINE_SOCK=/run/dagger/engine.sock
# ENGINE_TCP: a loopback port the engine also listens on when set (up --tcp),
# for clients that reach an engine over TCP, as a CI fleet's do.
ENGINE_TCP=${SLIPWAY_ENGINE_TCP:-}
ENGINE_PID=$RUN_DIR/engine.pid
ENGINE_LOG=$SLIPWAY_CACHE/logs/engine.log
ENGINE_STATE=/var/lib/dagger
CONTENT_DIR=/usr/local/share/dagger/content
GO_SDK_REF=$REGISTRY_ADDR/slipway/go-sdk:$DAGGER_VERSION
QUERYBUILDER_VERSION=v0.0.0-20260402040506-574a5e81cb59

# host_up: the Debian packages and host settings the engine relies on.
host_up() {
	# Everything the later steps need, installed here once: they run in
	# parallel, and two apt-gets at once fail on dpkg's lock.
	need_pkgs iptables dnsmasq-base git debootstrap tini ca-certificates jq curl \
		libseccomp-dev pkg-config gcc qemu-user-static apache2-utils iproute2 || return 1
	local b
	# The engine looks for these in /usr/bin; Debian puts them in /usr/sbin.
	for b in xtables-legacy-multi xtables-nft-multi; do
		[ -e "/usr/bin/$b" ] || ln -s "/usr/sbin/$b" "/usr/bin/$b" || return 1
	done
	# The engine picks legacy iptables when the legacy tables exist; CNI must agree.
	update-alternatives --set iptables /usr/sbin/iptables-legacy >/dev/null &&
		update-alternatives --set ip6tables /usr/sbin/ip6tables-legacy >/dev/null || return 1
	# The mirror and the test registry speak plain HTTP.
	mkdir -p /etc/dagger
	cat >/etc/dagger/engine.json <<-JSON
	{"registries": {"docker.io": {"mirrors": ["$REGISTRY_ADDR"], "http": true}, "$REGISTRY_ADDR": {"http": true}, "$TEST_REGISTRY_ADDR": {"http": true}}}
	JSON
}

BINFMT_DIR=/proc/sys/fs/binfmt_misc
BINFMT_CONF=/usr/lib/binfmt.d/qemu-aarch64.conf

# binfmt_up: run arm64 binaries under qemu, in containers too. Debian's
# qemu-user-static ships its registration line (flags OPF) for systemd-binfmt,
# which a container or CI machine may not run, so write it to the kernel here.
# F (fix-binary) makes the kernel open the interpreter now, so it works
# inside containers, whose filesystem has no qemu.
binfmt_up() {
	local entry=$BINFMT_DIR/qemu-aarch64 line
	[ "$(uname -m)" = aarch64 ] && return 0
	[ -f "$BINFMT_CONF" ] || { echo "$BINFMT_CONF is missing: is qemu-user-static installed?" >&2; return 1; }
	if [ ! -e "$BINFMT_DIR/register" ]; then
		grep -qw binfmt_misc /proc/filesystems || modprobe binfmt_misc || {
			echo "this kernel has no binfmt_misc: arm64 images cannot run here" >&2
			return 1
		}
		mount -t binfmt_misc binfmt_misc "$BINFMT_DIR" || return 1
	fi
	# An entry from elsewhere (binfmt-support, an older package) without F
	# fails inside containers: replace it.
	if [ -e "$entry" ] && ! grep -q '^flags:.*F' "$entry"; then
		echo "replacing $entry: it lacks the F flag"
		echo -1 >"$entry" || return 1
	fi
	if [ ! -e "$entry" ]; then
		line=$(grep -v '^#' "$BINFMT_CONF" | grep -m1 '^:qemu-aarch64:') || return 1
		[[ ${line##*:} == *F* ]] || line=${line}F
		printf '%s' "$line" >"$BINFMT_DIR/register" || return 1
	fi
	grep -qx enabled "$entry" || echo 1 >"$entry" || return 1
	cat "$entry"
}

# binfmt_status: one line.
binfmt_status() {
	local entry=$BINFMT_DIR/qemu-aarch64
	if [ "$(uname -m)" = aarch64 ]; then
		echo "arm64    native"
	elif [ -e "$entry" ]; then
		printf 'arm64    qemu (%s, flags %s, %s)\n' "$(head -n1 "$entry")" "$(sed -n 's/^flags: //p' "$entry")" \
			"$(sed -n 's/^interpreter //p' "$entry")"
	else
		echo "arm64    not registered (run hack/dev-engine up)"
	fi
}

# install_if_changed SRC DST: copy SRC to DST unless they are the same file.
install_if_changed() { cmp -s "$1" "$2" || install -D -m 0755 "$1" "$2"; }

# install_up: put the binaries where the engine expects them.
install_up() {
	install_if_changed "$BIN_CACHE/dagger-engine" /usr/local/bin/dagger-engine &&
		install_if_changed "$BIN_CACHE/dagger-dagger" /usr/local/bin/dagger &&
		install_if_changed "$BIN_CACHE/dagger-init" /usr/local/bin/dagger-init &&
		install_if_changed "$BIN_CACHE/runc" /usr/local/bin/runc || return 1
	[ -e /usr/local/bin/tini ] || ln -s "$(command -v tini)" /usr/local/bin/tini || return 1
	local p
	for p in bridge loopback firewall host-local; do
		install_if_changed "$BIN_CACHE/cni/$p" "/opt/cni/bin/$p" || return 1
	done
	install_if_changed "$BIN_CACHE/dagger-dnsname" /opt/cni/bin/dnsname
}

# go_sdk_up: the Go SDK's built-in image, which the engine loads from its
# content store instead of pulling. It is the golang image plus dagger's
# codegen and a `go` wrapper that pins two module versions the proxy serves.
go_sdk_up() {
	local fp work=$SLIPWAY_CACHE/images/work/go-sdk layer=$SLIPWAY_CACHE/images/layers/go-sdk.tar base d
	base=$(_img_ref golang) || return 1
	d=$("$CRANE" digest "$base") || return 1
	fp=$(cd "$ENGINE_DIR" && fingerprint "$d" "$BIN_CACHE/dagger-codegen" engine.sh)
	if fresh go-sdk "$fp" && [ -f "$SLIPWAY_CACHE/go-sdk.digest" ] &&
		[ -f "$CONTENT_DIR/blobs/sha256/$(cut -d: -f2 "$SLIPWAY_CACHE/go-sdk.digest")" ]; then
		return 0
	fi
	rm -rf "$work" && mkdir -p "$work/usr/local/bin" "$work/go/pkg/mod" "$work/root/.cache/go-build" "$(dirname "$layer")"
	cp "$BIN_CACHE/dagger-codegen" "$work/usr/local/bin/codegen"
	cat >"$work/usr/local/bin/go" <<-SH
	#!/bin/sh
	# The engine asks for dagger.io/dagger at a raw commit and for querybuilder
	# with no version; the module proxy refuses both, so pin served versions.
	for a; do
		shift
		case \$a in
		dagger.io/dagger@[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*) a=dagger.io/dagger@$DAGGER_VERSION ;;
		github.com/dagger/querybuilder) a=github.com/dagger/querybuilder@$QUERYBUILDER_VERSION ;;
		esac
		set -- "\$@" "\$a"
	done
	exec /usr/local/go/bin/go "\$@"
	SH
	chmod 0755 "$work/usr/local/bin/go"
	# a reproducible layer: the same inputs give the same digest, and the
	# running engine is not restarted for nothing
	tar -C "$work" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$layer" usr go root || return 1
	"$CRANE" append -b "$base" -f "$layer" -t "$GO_SDK_REF" >/dev/null &&
		"$CRANE" mutate "$GO_SDK_REF" --set-platform linux/amd64 \
			--env "PATH=/usr/local/bin:/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin" \
			--env GOPATH=/go --env GOTOOLCHAIN=auto -t "$GO_SDK_REF" >/dev/null || return 1
	rm -rf "$work.oci" && "$CRANE" pull --format=oci "$GO_SDK_REF" "$work.oci" || return 1
	mkdir -p "$CONTENT_DIR/blobs/sha256"
	cp -n "$work.oci"/blobs/sha256/* "$CONTENT_DIR/blobs/sha256/"
	"$CRANE" digest "$GO_SDK_REF" >"$SLIPWAY_CACHE/go-sdk.digest" || return 1
	rm -rf "$work" "$work.oci"
	stamp go-sdk "$fp"
}

# engine_conf_fp: a fingerprint of what the engine reads once, at start:
# its config file, and the foreign platforms it can run (it probes them once
# and caches the answer).
engine_conf_fp() {
	fingerprint "$(cat /etc/dagger/engine.json 2>/dev/null)" "$(cat "$BINFMT_DIR/qemu-aarch64" 2>/dev/null)"
}

engine_answers() {
	[ -S "$ENGINE_SOCK" ] && pid_alive "$ENGINE_PID"
}

# engine_up: start the engine unless it runs; wait until it serves.
engine_up() {
	local digest i addrs=(--addr "unix://$ENGINE_SOCK")
	if [ -n "$ENGINE_TCP" ]; then
		[[ $ENGINE_TCP =~ ^[0-9]+$ ]] && ((ENGINE_TCP > 0 && ENGINE_TCP < 65536)) ||
			{ echo "--tcp takes a port number (the engine listens on 127.0.0.1 only), not '$ENGINE_TCP'" >&2; return 1; }
		addrs+=(--addr "tcp://127.0.0.1:$ENGINE_TCP")
	fi
	if engine_answers; then
		# without --tcp, a running engine's TCP port is kept
		if [ -z "$ENGINE_TCP" ] && [[ $(cat "$RUN_DIR/engine.addrs" 2>/dev/null) =~ tcp://127.0.0.1:([0-9]+) ]]; then
			addrs+=(--addr "tcp://127.0.0.1:${BASH_REMATCH[1]}")
		fi
		# restart when the Go SDK image, the addresses or what the engine
		# reads at start (its config, the platforms it can run) changed
		# under a running engine
		[ "$(cat "$RUN_DIR/engine.sdk" 2>/dev/null)" = "$(cat "$SLIPWAY_CACHE/go-sdk.digest")" ] &&
			[ "$(cat "$RUN_DIR/engine.addrs" 2>/dev/null)" = "${addrs[*]}" ] &&
			[ "$(cat "$RUN_DIR/engine.conf" 2>/dev/null)" = "$(engine_conf_fp)" ] && return 0
		log "restarting the engine: its Go SDK image, addresses, config or platforms changed"
		engine_down || return 1
	fi
	digest=$(cat "$SLIPWAY_CACHE/go-sdk.digest") || return 1
	# an engine that exited uncleanly may still hold its lock for a moment
	for i in $(seq 1 50); do
		fuser "$ENGINE_STATE/dagger-engine.lock" >/dev/null 2>&1 || break
		sleep 0.2
	done
	mkdir -p /run/dagger "$(dirname "$ENGINE_LOG")"
	# the last run's log, which says how it stopped
	[ ! -s "$ENGINE_LOG" ] || mv -f "$ENGINE_LOG" "$ENGINE_LOG.prev"
	: >"$ENGINE_LOG"
	DAGGER_GO_SDK_MANIFEST_DIGEST=$digest setsid unshare --mount --propagation private \
		/usr/local/bin/dagger-engine "${addrs[@]}" >>"$ENGINE_LOG" 2>&1 </dev/null &
	echo $! >"$ENGINE_PID"
	echo "$digest" >"$RUN_DIR/engine.sdk"
	echo "${addrs[*]}" >"$RUN_DIR/engine.addrs"
	engine_conf_fp >"$RUN_DIR/engine.conf"
	for i in $(seq 1 300); do
		grep -q "running server on $ENGINE_SOCK" "$ENGINE_LOG" && return 0
		pid_alive "$ENGINE_PID" || { tail -n 20 "$ENGINE_LOG"; echo "the engine exited" >&2; return 1; }
		sleep 0.2
	done
	tail -n 20 "$ENGINE_LOG"
	echo "the engine did not start within 60s" >&2
	return 1
}

# engine_down: stop the engine this script started, by its PID only.
engine_down() {
	local pid i
	pid_alive "$ENGINE_PID" || { rm -f "$ENGINE_PID"; return 0; }
	pid=$(cat "$ENGINE_PID")
	kill -TERM "$pid"
	for i in $(seq 1 150); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$pid" 2>/dev/null; then
		# it then resets its cache at the next start
		log "the engine (pid $pid) did not stop within 30s of SIGTERM: killing it"
		kill -KILL "$pid"
	else
		log "the engine (pid $pid) stopped in about $((i / 5))s"
	fi
	rm -f "$ENGINE_PID"
}

engine_status() {
	if engine_answers; then
		printf 'engine   up (pid %s, %s) %s\n' "$(cat "$ENGINE_PID")" "$(cat "$RUN_DIR/engine.addrs" 2>/dev/null)" \
			"$(dagger_env_run /usr/local/bin/dagger version 2>/dev/null | head -n 1)"
	else
		echo "engine   down"
	fi
}

# engine_env [--tcp]: the variables a client needs to use this engine, over
# its unix socket or, with --tcp, over the TCP port it was started with.
engine_env() {
	local host=unix://$ENGINE_SOCK
	if [ "${1:-}" = --tcp ]; then
		local addrs
		addrs=$(cat "$RUN_DIR/engine.addrs" 2>/dev/null)
		[[ $addrs =~ tcp://([0-9.:]+) ]] || { echo "the engine listens on no TCP port: run hack/dev-engine up --tcp" >&2; return 1; }
		host=tcp://${BASH_REMATCH[1]}
	fi
	cat <<-ENV
	export _EXPERIMENTAL_DAGGER_RUNNER_HOST=$host
	export _EXPERIMENTAL_DAGGER_CLI_BIN=/usr/local/bin/dagger
	export DAGGER_PROGRESS=plain
	export DO_NOT_TRACK=1
	export DAGGER_NO_NAG=1
	ENV
	test_registry_env
}

dagger_env_run() { (eval "$(engine_env)" && "$@"); }
