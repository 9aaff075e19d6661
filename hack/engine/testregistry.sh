# The authenticated registry the publish tests push to, for hack/dev-engine.
# Sourced after lib.sh and images.sh, never run.
#
# A second instance of the mirror's registry binary, with htpasswd (bcrypt)
# auth over plain HTTP. Two kinds of clients must reach it at one address:
# the engine, which pushes from the host's network, and containers in the
# engine (cosign, crane, syft), which reach the host through the engine's
# bridge. Loopback serves only the first, and the bridge's own address only
# exists once the engine has made it. So it listens on an address of its
# own, on an interface of its own (an empty bridge: kernels without the
# dummy driver have it), not on all interfaces: the host owns the address,
# so both the host and the containers, whose default route is the host,
# reach it.
#
# Public: test_registry_up, test_registry_down, test_registry_status,
# test_registry_env; TEST_REGISTRY_ADDR (host_up marks it plain HTTP in the
# engine's config).
# shellcheck shell=bash

# 198.18.0.0/15 is reserved for network tests (RFC 2544): no real network
# here is likely to use it.
TEST_REGISTRY_IP=${SLIPWAY_TEST_REGISTRY_IP:-198.18.0.1}
TEST_REGISTRY_PORT=${SLIPWAY_TEST_REGISTRY_PORT:-5001}
TEST_REGISTRY_ADDR=$TEST_REGISTRY_IP:$TEST_REGISTRY_PORT
TEST_REGISTRY_IF=slipway0
TEST_REGISTRY_USER=slipway
TEST_REGISTRY_DIR=$SLIPWAY_CACHE/test-registry

# _treg_curl ARGS...: curl with the test registry's credentials, passed on
# stdin so that they never show in the process list.
_treg_curl() {
	printf 'user = "%s:%s"\n' "$TEST_REGISTRY_USER" "$(cat "$TEST_REGISTRY_DIR/password")" |
		curl -K - -sS --max-time 2 "$@"
}

# _treg_answers: true when our test registry accepts its credentials.
_treg_answers() {
	[ "$(_treg_curl -o /dev/null -w '%{http_code}' "http://$TEST_REGISTRY_ADDR/v2/" 2>/dev/null)" = 200 ]
}

# _treg_net_up: the address, on our interface unless the host already has it.
_treg_net_up() {
	[ -n "$(ip -o addr show to "$TEST_REGISTRY_IP/32" 2>/dev/null)" ] && return 0
	if ! ip link show "$TEST_REGISTRY_IF" >/dev/null 2>&1; then
		ip link add "$TEST_REGISTRY_IF" type bridge || return 1
	fi
	ip addr add "$TEST_REGISTRY_IP/32" dev "$TEST_REGISTRY_IF" &&
		ip link set "$TEST_REGISTRY_IF" up
}

# _treg_secrets: the password (random, made once per machine, mode 600), the
# htpasswd file with its bcrypt hash, and the registry's own http secret.
_treg_secrets() {
	local d=$TEST_REGISTRY_DIR
	mkdir -p "$d/storage" && chmod 700 "$d" || return 1
	if [ ! -s "$d/password" ]; then
		(umask 077 && od -An -tx1 -N18 /dev/urandom | tr -d ' \n' >"$d/password.tmp") &&
			mv -f "$d/password.tmp" "$d/password" || return 1
	fi
	chmod 600 "$d/password"
	if ! htpasswd -vi "$d/htpasswd" "$TEST_REGISTRY_USER" <"$d/password" >/dev/null 2>&1; then
		(umask 077 && htpasswd -niB "$TEST_REGISTRY_USER" <"$d/password" >"$d/htpasswd.tmp") &&
			mv -f "$d/htpasswd.tmp" "$d/htpasswd" || return 1
	fi
	if [ ! -s "$d/http-secret" ]; then
		(umask 077 && od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$d/http-secret") || return 1
	fi
}

# _treg_config: the registry's configuration (the same for the same inputs,
# so that an unchanged one is kept running).
_treg_config() {
	printf '%s\n' \
		"version: 0.1" \
		"log:" "  level: warn" "  accesslog:" "    disabled: true" \
		"storage:" "  filesystem:" "    rootdirectory: $TEST_REGISTRY_DIR/storage" "  delete:" "    enabled: true" \
		"auth:" "  htpasswd:" "    realm: slipway-test-registry" "    path: $TEST_REGISTRY_DIR/htpasswd" \
		"http:" "  addr: $TEST_REGISTRY_ADDR" "  secret: $(cat "$TEST_REGISTRY_DIR/http-secret")"
}

# test_registry_up: start the test registry unless it runs with this config.
test_registry_up() {
	local cfg=$RUN_DIR/test-registry.yml code
	[ -x "$REGISTRY_BIN" ] || die "$REGISTRY_BIN is missing: run tools_up first"
	need_pkgs apache2-utils curl >&2 || die "could not install apache2-utils (htpasswd) and curl"
	_treg_net_up || die "could not put $TEST_REGISTRY_IP on interface $TEST_REGISTRY_IF"
	_treg_secrets || die "could not write the test registry's password and htpasswd in $TEST_REGISTRY_DIR"
	if _reg_pid test-registry >/dev/null; then
		if [ "$(_treg_config)" = "$(cat "$cfg" 2>/dev/null)" ] && _treg_answers; then
			log "test registry already runs (pid $(cat "$RUN_DIR/test-registry.pid")) on $TEST_REGISTRY_ADDR"
			return 0
		fi
		log "test registry: its config changed, restarting it"
		_reg_stop test-registry
	fi
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$TEST_REGISTRY_ADDR/v2/" 2>/dev/null) || true
	[ "$code" = 000 ] || [ -z "$code" ] ||
		die "something that is not our test registry answers on $TEST_REGISTRY_ADDR: stop it, or set SLIPWAY_TEST_REGISTRY_IP/PORT"
	_treg_config >"$cfg" || return 1
	_reg_start test-registry "$TEST_REGISTRY_ADDR" _treg_answers
}

# test_registry_down: stop it and remove the interface made for it.
test_registry_down() {
	_reg_stop test-registry
	if ip link show "$TEST_REGISTRY_IF" >/dev/null 2>&1; then
		ip link del "$TEST_REGISTRY_IF" && log "removed interface $TEST_REGISTRY_IF"
	fi
}

# test_registry_status: one line.
test_registry_status() {
	local pid code
	if ! pid=$(_reg_pid test-registry); then
		echo "test registry: stopped"
		return 0
	fi
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$TEST_REGISTRY_ADDR/v2/" 2>/dev/null) || true
	if _treg_answers && [ "$code" = 401 ]; then
		echo "test registry: running (pid $pid) on $TEST_REGISTRY_ADDR ($(ip -o addr show to "$TEST_REGISTRY_IP/32" | awk '{print $2}' | head -n1)), user $TEST_REGISTRY_USER, 401 without auth, storage $TEST_REGISTRY_DIR/storage ($(du -sh "$TEST_REGISTRY_DIR/storage" 2>/dev/null | cut -f1))"
	else
		echo "test registry: pid $pid runs but does not answer as expected on $TEST_REGISTRY_ADDR (no auth: HTTP $code; log: $SLIPWAY_CACHE/logs/test-registry.log)"
	fi
}

# test_registry_env: the variables the publish tests read; nothing before
# `up` has made the password.
test_registry_env() {
	[ -s "$TEST_REGISTRY_DIR/password" ] || return 0
	cat <<-ENV
	export SLIPWAY_TEST_REGISTRY=$TEST_REGISTRY_ADDR
	export SLIPWAY_TEST_REGISTRY_USER=$TEST_REGISTRY_USER
	export SLIPWAY_TEST_REGISTRY_PASSWORD=$(cat "$TEST_REGISTRY_DIR/password")
	ENV
}
