#!/bin/sh
# Assemble the runner's root filesystem: usage rootfs.sh NODE_BINARY OUT.
# Runs in a Debian stage that has libstdc++6, ca-certificates and binutils.
set -eu
node=$1 out=$2
mkdir -p "$out/usr/local/bin" "$out/bin" "$out/etc/ssl/certs" "$out/tmp"
chmod 1777 "$out/tmp"

# Node without its symbol tables (18 MB of a 125 MB binary); JavaScript
# stack traces are unaffected.
strip --strip-all -o "$out/usr/local/bin/node" "$node"
chmod 0755 "$out/usr/local/bin/node"
# /bin/sh, for entrypoint wrappers and `docker exec` debugging.
cp /bin/dash "$out/bin/sh"

# Every shared library they load, at the path the loader looks for it.
for lib in $(ldd "$node" /bin/dash | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// && $1 !~ /:$/ {print $1}' | sort -u); do
	mkdir -p "$out$(dirname "$lib")"
	cp -L "$lib" "$out$lib"
done

cp -L /etc/ssl/certs/ca-certificates.crt "$out/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnextjs:x:1001:1001:Next.js:/nonexistent:/usr/sbin/nologin\n' >"$out/etc/passwd"
printf 'root:x:0:\nnodejs:x:1001:\n' >"$out/etc/group"
printf 'hosts: files dns\n' >"$out/etc/nsswitch.conf"
