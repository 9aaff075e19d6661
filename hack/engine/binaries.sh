# Builds the Dagger engine, CLI and helpers, runc and the CNI plugins from the
# Go module proxy. Sourced by hack/dev-engine after lib.sh.
# shellcheck shell=bash

RUNC_VERSION=v1.4.2
CNI_VERSION=v1.9.0
MIDTERM_VERSION=v0.2.5
ANSICODE_VERSION=v1.0.14
BIN_CACHE=$SLIPWAY_CACHE/bin
DAGGER_BINS=(engine dagger init codegen dnsname)

# dagger_src: the dagger module in the module cache (downloaded on first use).
dagger_src() {
	go mod download -json "github.com/dagger/dagger@$DAGGER_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'
}

# write_dagger_build_module DIR: a throwaway module that builds dagger's
# commands with the project's stand-ins in place of the refused modules.
write_dagger_build_module() {
	local dir=$1 src standins=$ENGINE_DIR/standins
	src=$(dagger_src) || return 1
	[ -f "$src/go.mod" ] || { echo "dagger $DAGGER_VERSION not in the module cache" >&2; return 1; }
	mkdir -p "$dir"
	{
		echo "module slipway.invalid/daggerbuild"
		echo
		echo "go 1.26"
		echo
		echo "require ("
		echo "	github.com/dagger/dagger $DAGGER_VERSION"
		echo "	dagger.io/dagger $DAGGER_VERSION"
		echo "	github.com/dagger/dagger/engine/distconsts $DAGGER_VERSION"
		echo "	github.com/vito/midterm $MIDTERM_VERSION"
		echo "	github.com/danielgatis/go-ansicode $ANSICODE_VERSION"
		# stood in for below; versions as dagger's go.mod pins them
		grep -E '^\s+github.com/vito/(tuist|tuist/teav1|dang/v2) ' "$src/go.mod"
		echo ")"
		echo
		echo "replace ("
		echo "	github.com/dagger/dagger/engine/distconsts => $standins/distconsts"
		echo "	github.com/vito/tuist => $standins/tuist"
		echo "	github.com/vito/tuist/teav1 => $standins/tuist/teav1"
		echo "	github.com/vito/dang/v2 => $standins/dang"
		echo "	github.com/vito/midterm => github.com/vito/midterm $MIDTERM_VERSION"
		echo ")"
		echo
		# dagger's own replace directives that point at released versions
		awk '/^replace \(/{r=1;next} r&&/^\)/{r=0;next} r&&!/=> \./{print "replace " $0} /^replace [^(]/&&!/=> \./{print}' "$src/go.mod" | sed 's/^replace replace /replace /; s/^replace \t/replace /'
	} >"$dir/go.mod"
	cp "$src/go.sum" "$dir/go.sum"
	chmod u+w "$dir/go.sum"
	cat >"$dir/tools.go" <<-'GO'
	//go:build tools

	package tools

	import (
		_ "github.com/dagger/dagger/cmd/codegen"
		_ "github.com/dagger/dagger/cmd/dagger"
		_ "github.com/dagger/dagger/cmd/dnsname"
		_ "github.com/dagger/dagger/cmd/engine"
		_ "github.com/dagger/dagger/cmd/init"
	)
	GO
}

# dagger_bins_up: build dagger's commands into $BIN_CACHE when their inputs changed.
dagger_bins_up() {
	local fp dir=$SLIPWAY_CACHE/src/daggerbuild b
	# relative paths: a clone elsewhere reuses the cache
	fp=$(cd "$ENGINE_DIR" && fingerprint "$DAGGER_VERSION" standins binaries.sh "$(go version)")
	if fresh dagger-bins "$fp"; then
		for b in "${DAGGER_BINS[@]}"; do [ -x "$BIN_CACHE/dagger-$b" ] || break; done
		[ -x "$BIN_CACHE/dagger-dnsname" ] && return 0
	fi
	write_dagger_build_module "$dir" || return 1
	mkdir -p "$BIN_CACHE"
	(
		cd "$dir" || exit 1
		export GOFLAGS=-mod=mod GONOSUMDB=github.com/vito/midterm,github.com/danielgatis/go-ansicode GOSUMDB=off
		# one invocation, so the packages they share compile once, in parallel
		rm -rf out && mkdir out
		echo "building ${DAGGER_BINS[*]}"
		CGO_ENABLED=0 go build -trimpath -tags dfexcludepatterns,dfparents \
			-ldflags "-s -w -X github.com/dagger/dagger/engine.Version=$DAGGER_VERSION -X github.com/dagger/dagger/engine.Tag=$DAGGER_VERSION" \
			-o out/ "${DAGGER_BINS[@]/#/github.com/dagger/dagger/cmd/}" || exit 1
		for b in "${DAGGER_BINS[@]}"; do mv "out/$b" "$BIN_CACHE/dagger-$b" || exit 1; done
	) || return 1
	stamp dagger-bins "$fp"
}

# go_build_in_module NAME REQUIRE TAGS CGO OUT PKG...: build packages of one
# module from a throwaway module that requires it.
go_build_in_module() {
	local name=$1 req=$2 tags=$3 cgo=$4 out=$5; shift 5
	local dir=$SLIPWAY_CACHE/src/$name p
	rm -rf "$dir" && mkdir -p "$dir" "$out"
	(
		cd "$dir" || exit 1
		printf 'module slipway.invalid/%s\n\ngo 1.26\n' "$name" >go.mod
		go get "$req" || exit 1
		for p in "$@"; do
			echo "building $p"
			CGO_ENABLED=$cgo GOFLAGS=-mod=mod go build -trimpath -tags "$tags" -ldflags "-s -w" -o "$out/$(basename "$p")" "$p" || exit 1
		done
	)
}

# runc_up: runc with seccomp, which every engine container needs.
runc_up() {
	local fp
	fp=$(fingerprint "$RUNC_VERSION" "$(go version)" seccomp)
	fresh runc "$fp" && [ -x "$BIN_CACHE/runc" ] && return 0
	need_pkgs libseccomp-dev pkg-config gcc || return 1
	go_build_in_module runc "github.com/opencontainers/runc@$RUNC_VERSION" "seccomp netgo osusergo" 1 "$BIN_CACHE" \
		github.com/opencontainers/runc || return 1
	stamp runc "$fp"
}

# cni_up: the CNI plugins the engine's network uses.
cni_up() {
	local fp m=github.com/containernetworking/plugins
	fp=$(fingerprint "$CNI_VERSION" "$(go version)")
	fresh cni "$fp" && [ -x "$BIN_CACHE/cni/bridge" ] && return 0
	go_build_in_module cni "$m@$CNI_VERSION" "" 0 "$BIN_CACHE/cni" \
		"$m/plugins/main/bridge" "$m/plugins/main/loopback" "$m/plugins/meta/firewall" "$m/plugins/ipam/host-local" || return 1
	stamp cni "$fp"
}
