# syntax=docker/dockerfile:1
#
# The production image of notes-pnpm, rendered by Slipway (`dagger call dockerfile`)
# from what it detected in the app. It builds what `dagger call image` builds:
# base -> deps -> builder -> runner, with the migrator and the runner's root
# filesystem in stages of their own.
# No clock time or random value enters a layer, so rebuilds hit the cache.
#
# Build with BuildKit (Docker's default builder since 23.0):
#   docker build -t notes-pnpm .
# Secret build-time variables go in a dotenv file passed as a build secret,
# never as a build arg (build args stay in the image's history):
#   docker build --secret id=build_env,src=.env.build -t notes-pnpm .
# Add a .dockerignore, so the host's installs and secrets stay out of the
# context and can't overwrite the frozen install:
#   node_modules  .next  .git  .env  .env.*  !.env.example
# Run it against PostgreSQL (APP_DATABASE_URL is the database URL):
#   docker run -p 8080:8080 -e APP_DATABASE_URL=postgresql://... notes-pnpm
# The entrypoint applies prisma/migrations, then starts the server;
# set SLIPWAY_MIGRATE_ON_START=false when a separate job migrates.

# base: the Node image plus what Prisma needs at run time (OpenSSL, CA certificates).
FROM node:24-bookworm-slim AS base
RUN apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssl ca-certificates >/dev/null && \
    rm -rf /var/lib/apt/lists/*
WORKDIR /app

# deps: the package manager's own frozen install from the lockfile and install inputs
# alone, so a source change does not bust it; the package store is a cache mount,
# never node_modules. The app's settings decide which dependencies' build scripts
# run; the lifecycle scripts of the root and workspace packages never do: they are
# stripped from the manifests the install sees, and the real ones copied back after.
FROM base AS deps
ENV COREPACK_ENABLE_DOWNLOAD_PROMPT=0
RUN corepack enable pnpm && \
    corepack prepare pnpm@10.34.9 --activate
ENV npm_config_store_dir=/root/.local/share/pnpm/store
COPY package.json /app/package.json
COPY pnpm-lock.yaml /app/pnpm-lock.yaml
COPY <<'EOF' /usr/local/lib/slipway/strip-scripts.cjs
// strip-scripts.cjs DIR: drop the lifecycle scripts of every package.json under DIR
EOF
WORKDIR /app
RUN --mount=type=cache,id=slipway-pnpm-store,target=/root/.local/share/pnpm/store \
    node /usr/local/lib/slipway/strip-scripts.cjs /app && \
    pnpm install --frozen-lockfile
# The real manifests, lifecycle scripts and all, for the build.
COPY package.json /app/package.json

# builder: the whole source over the install, then `prisma generate` and `next build`,
# with the Next.js build cache in a cache mount. The build secret, when given, is
# read from its mounted file in the commands that need it and never stored.
FROM deps AS builder
COPY . /app/
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 \
    NEXT_PUBLIC_APP_NAME="Notes on pnpm" \
    APP_DATABASE_URL=postgresql://slipway:build-placeholder@localhost:5432/build \
    PRISMA_SCHEMA_ENGINE_BINARY=/app/package.json
# prisma generate, where the Prisma config is. No database is reached: the
# placeholder URLs above satisfy the config's env() and the app's env checks.
RUN --mount=type=secret,id=build_env,target=/run/secrets/build_env \
    if [ -f /run/secrets/build_env ]; then set -a && . /run/secrets/build_env && set +a; fi && \
    pnpm exec prisma generate
RUN --mount=type=secret,id=build_env,target=/run/secrets/build_env \
    --mount=type=cache,id=slipway-next-cache-notes-pnpm,target=/app/.next/cache \
    if [ -f /run/secrets/build_env ]; then set -a && . /run/secrets/build_env && set +a; fi && \
    pnpm run build
# The runner takes no .env file and no build cache from the standalone output;
# public/ is optional, so make sure it exists for the copy below.
RUN find .next/standalone \( -name .env -o -name '.env.*' -o -path '*/node_modules/.cache' \) -prune -exec rm -rf {} + && \
    mkdir -p public

# migrator: slipway-migrate, Slipway's static migrator (it applies Prisma migrations
# as `prisma migrate deploy` does, without Prisma's CLI or engines), built from
# Slipway's source in the build context: .slipway/ holds its go.mod, go.sum,
# names/, migrator/ and cmd/slipway-migrate/.
FROM golang:1.26-bookworm AS migrator
WORKDIR /src
COPY .slipway/ ./
ENV CGO_ENABLED=0
RUN --mount=type=cache,id=slipway-go-mod,target=/go/pkg/mod \
    --mount=type=cache,id=slipway-go-build,target=/root/.cache/go-build \
    go build -trimpath '-ldflags=-s -w' -o /out/slipway-migrate ./cmd/slipway-migrate

# rootfs: the runner's root filesystem, assembled in Debian by rootfs.sh: Node's
# binary (stripped; no npm, corepack or yarn), the shared libraries it and /bin/sh
# load, /bin/sh (dash), CA certificates, the users root and nextjs (1001), and the
# dpkg records of the Debian packages those files come from (/var/lib/dpkg/status.d),
# for SBOM generators and scanners. No package manager and no coreutils reach the image.
FROM debian:bookworm-slim AS rootfs
RUN apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates libstdc++6 binutils >/dev/null
COPY --from=base /usr/local/bin/node /stage/node
COPY <<'EOF' /stage/rootfs.sh
#!/bin/sh
# rootfs.sh NODE OUT: Node, its libraries, /bin/sh, CA certificates, users and dpkg records into OUT
EOF
# /empty becomes the server's own .next/cache in the runner, which has no mkdir.
# The standalone output is mounted for its native addons, whose system libraries go in too.
RUN --mount=type=bind,from=builder,source=/app/.next/standalone,target=/stage/addons \
    sh /stage/rootfs.sh /stage/node /rootfs /stage/addons && \
    mkdir /empty

# runner: the root filesystem above on no base image, as the non-root user nextjs
# (1001), with the standalone server, static assets, public files and migrations.
# The app's files stay owned by root: the server can't change them.
FROM scratch AS runner
COPY --from=rootfs /rootfs/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
WORKDIR /app
COPY --from=builder /app/.next/standalone/ /app/
COPY --from=builder /app/.next/static /app/.next/static
COPY --from=builder /app/public /app/public
COPY --from=rootfs --chown=1001:1001 /empty/ /app/.next/cache/
# The HEALTHCHECK runs this with Node, so the image needs neither wget nor curl.
COPY <<'EOF' /usr/local/lib/slipway/healthcheck.cjs
// healthcheck.cjs: exit 0 when GET $SLIPWAY_HEALTH_PATH answers 2xx or 3xx
EOF
COPY prisma/migrations /app/prisma/migrations
COPY --from=migrator /out/slipway-migrate /usr/local/bin/slipway-migrate
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=8080 \
    HOSTNAME=0.0.0.0 \
    SLIPWAY_HEALTH_PATH=/api/health \
    SLIPWAY_MIGRATIONS_DIR=/app/prisma/migrations \
    SLIPWAY_DATABASE_URL_ENV=APP_DATABASE_URL
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --start-interval=1s --retries=3 \
    CMD ["node", "/usr/local/lib/slipway/healthcheck.cjs"]
USER 1001:1001
# Migrate (unless SLIPWAY_MIGRATE_ON_START=false), then exec the server, so
# signals reach Node and its exit code is kept.
ENTRYPOINT ["/usr/local/bin/slipway-migrate", "start", "--"]
CMD ["node", "/app/server.js"]
LABEL org.opencontainers.image.title="notes-pnpm" \
      org.opencontainers.image.source="https://example.com/notes" \
      org.opencontainers.image.revision="4f2a9c1" \
      org.opencontainers.image.version="1.2.0" \
      org.opencontainers.image.created="2025-03-01T08:00:00Z"
