#!/bin/sh
# Smoke test of the node image, run chrooted in it while it is built: Node
# finds its libraries, each tool prints its version, Node loads the CA bundle
# without a warning, and the node user runs node.
set -e
missing=$(ldd /usr/local/bin/node | grep 'not found' || true)
if [ -n "$missing" ]; then
	echo "node lacks libraries: $missing"
	exit 1
fi
cd /tmp
echo "node $(node --version)"
echo "arch $(node -p process.arch)"
echo "npm $(npm --version)"
echo "npx $(npx --version)"
echo "corepack $(corepack --version)"
echo "yarn $(yarn --version)"
echo "yarnpkg $(yarnpkg --version)"
NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt node -e 'require("tls").createSecureContext()' 2>&1 | sed 's/^/tls: /'
echo "user $(setpriv --reuid=node --regid=node --init-groups node -p 'require("os").userInfo().username')"
echo "entrypoint $(docker-entrypoint.sh -p '"ok"')"
