#!/bin/sh
# Assemble the runner's root filesystem: usage rootfs.sh NODE_BINARY OUT [ADDONS].
# ADDONS holds the app's native addons (*.node, *.so) at their paths in the
# standalone output: the system libraries they link go in too (libvips,
# which sharp loads, links libresolv, which Node does not).
# Runs in a Debian stage that has libstdc++6, ca-certificates and binutils.
set -eu
node=$1 out=$2 addons=${3:-}
mkdir -p "$out/usr/local/bin" "$out/bin" "$out/etc/ssl/certs" "$out/tmp"
chmod 1777 "$out/tmp"
taken=$(mktemp) packages=$(mktemp)

# take SRC DST copies a file of a Debian package into the root filesystem
# and notes it, for the package records at the end.
take() {
	mkdir -p "$out$(dirname "$2")"
	cp -L "$1" "$out$2"
	echo "$1 $2" >>"$taken"
}

# Node without its symbol tables (18 MB of a 125 MB binary); JavaScript
# stack traces are unaffected.
strip --strip-all -o "$out/usr/local/bin/node" "$node"
chmod 0755 "$out/usr/local/bin/node"
# /bin/sh, for entrypoint wrappers and `docker exec` debugging.
take /bin/dash /bin/sh

# Every shared library they and the addons load, at the path the loader
# looks for it; the addons' own libraries (found through their rpath) come
# with the app.
bins="$node /bin/dash"
if [ -n "$addons" ] && [ -d "$addons" ]; then
	bins="$bins $(find "$addons" -type f \( -name '*.node' -o -name '*.so' -o -name '*.so.*' \) | sort | tr '\n' ' ')"
fi
# shellcheck disable=SC2086 # one word per file
for lib in $(ldd $bins 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// && $1 !~ /:$/ {print $1}' | sort -u); do
	case $lib in "$addons"/*) continue ;; esac
	take "$lib" "$lib"
done

# Which Debian this is, for scanners that match packages to advisories.
take /etc/os-release /etc/os-release
cp -L /etc/ssl/certs/ca-certificates.crt "$out/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnextjs:x:1001:1001:Next.js:/nonexistent:/usr/sbin/nologin\n' >"$out/etc/passwd"
printf 'root:x:0:\nnodejs:x:1001:\n' >"$out/etc/group"
printf 'hosts: files dns\n' >"$out/etc/nsswitch.conf"

# The package records minimal images carry, as distroless does, so that SBOM
# generators and vulnerability scanners see the Debian packages: for each
# package a file came from, its dpkg status stanza in status.d/PACKAGE, the
# checksums of its files that are here in status.d/PACKAGE.md5sums, and its
# copyright file (for licenses) when the stage has one.
status=$out/var/lib/dpkg/status.d
mkdir -p "$status"

# owner FILE is the package (with its architecture) that ships FILE. dpkg
# knows a path as the package ships it; with merged /usr, ldd's path or the
# link's target may be the other spelling of it.
owner() {
	for p in "$1" "$(readlink -f "$1")"; do
		for q in "$p" "${p#/usr}" "/usr$p"; do
			pkg=$(dpkg-query -S "$q" 2>/dev/null | awk -F': ' 'NR == 1 && NF > 1 {sub(/,.*/, "", $1); print $1}')
			if [ -n "$pkg" ]; then
				echo "$pkg"
				return
			fi
		done
	done
}

while read -r src dst; do
	pkg=$(owner "$src")
	if [ -z "$pkg" ]; then
		echo "rootfs.sh: no Debian package ships $src; the SBOM will not list it" >&2
		continue
	fi
	echo "$pkg" >>"$packages"
	(cd "$out" && md5sum "${dst#/}") >>"$status/${pkg%%:*}.md5sums"
done <"$taken"
# The CA bundle is not a file of the package: update-ca-certificates makes
# it from the package's certificates.
echo ca-certificates >>"$packages"

for pkg in $(sort -u "$packages"); do
	name=${pkg%%:*}
	# Without Conffiles: none of them is in the image.
	dpkg-query -s "$pkg" | awk '/^[^ ]/ {skip = /^Conffiles:/} !skip' >"$status/$name"
	if [ -f "/usr/share/doc/$name/copyright" ]; then
		mkdir -p "$out/usr/share/doc/$name"
		cp -L "/usr/share/doc/$name/copyright" "$out/usr/share/doc/$name/"
	fi
done
rm -f "$taken" "$packages"
