#!/usr/bin/env bash
# Slipway on any CI runner: ci on every run; when the commit carries a tag and
# SLIPWAY_PUBLISH_ADDRESS is set, publish the image that passed under that tag.
#
#   examples/ci/slipway-ci.sh [APP_DIR]
#
# Needs the dagger CLI on PATH and an engine: Docker's, or the one
# _EXPERIMENTAL_DAGGER_RUNNER_HOST names. Settings, all optional:
#   SLIPWAY_MODULE           the module (default: a tagged release)
#   SLIPWAY_APP_DIR          the app inside a monorepo (e.g. apps/web)
#   SLIPWAY_PATHS            paths smoke must see answer, comma-separated
#   SLIPWAY_OUT              the tested image as a tarball (default app.tar)
#   SLIPWAY_PUBLISH_ADDRESS  e.g. <registry>/acme/notes; with REGISTRY_USER
#                            and REGISTRY_PASSWORD for the registry's login
#   SLIPWAY_PLATFORMS        what publish builds and proves (default linux/amd64)
#   COSIGN_KEY               a cosign key (and COSIGN_PASSWORD): publish signs
#                            the digest and attests its provenance and SBOMs
set -euo pipefail

src=${1:-.}
module=${SLIPWAY_MODULE:-github.com/slipwayhq/slipway@v0.1.0}
revision=$(git -C "$src" rev-parse HEAD 2>/dev/null || true)
tag=$(git -C "$src" describe --exact-match --tags 2>/dev/null || true)

opts=(--source="$src")
[ -z "${SLIPWAY_APP_DIR:-}" ] || opts+=(--app-dir="$SLIPWAY_APP_DIR")
[ -z "$revision" ] || opts+=(--revision="$revision")
[ -z "$tag" ] || opts+=(--version="$tag")

paths=()
[ -z "${SLIPWAY_PATHS:-}" ] || paths=(--paths="$SLIPWAY_PATHS")

echo "slipway: ci of $src"
dagger call -m "$module" "${opts[@]}" ci "${paths[@]}" export --path="${SLIPWAY_OUT:-app.tar}"

if [ -n "$tag" ] && [ -n "${SLIPWAY_PUBLISH_ADDRESS:-}" ]; then
	echo "slipway: publish $SLIPWAY_PUBLISH_ADDRESS:$tag"
	sign=()
	[ -z "${COSIGN_KEY:-}" ] || sign=(--sign-key=env://COSIGN_KEY --sign-password=env://COSIGN_PASSWORD)
	dagger call -m "$module" "${opts[@]}" --platforms="${SLIPWAY_PLATFORMS:-linux/amd64}" \
		publish --address="$SLIPWAY_PUBLISH_ADDRESS" --tags="$tag" \
		--username="${REGISTRY_USER:?set REGISTRY_USER}" --password=env://REGISTRY_PASSWORD "${sign[@]}"
fi
