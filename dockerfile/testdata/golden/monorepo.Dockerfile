# syntax=docker/dockerfile:1
#
# The production image of @shop/web, rendered by Slipway (`dagger call dockerfile`)
# from what it detected in the app. It builds what `dagger call image` builds:
# base -> deps -> builder -> runner, with the migrator and the runner's root
# filesystem in stages of their own.
# No clock time or random value enters a layer, so rebuilds hit the cache.
#
# Build with BuildKit (Docker's default builder since 23.0):
#   docker build -t shop-web .
# Secret build-time variables go in a dotenv file passed as a build secret,
# never as a build arg (build args stay in the image's history):
#   docker build --secret id=build_env,src=.env.build -t shop-web .
# Add a .dockerignore, so the host's installs and secrets stay out of the
# context and can't overwrite the frozen install:
#   node_modules  .next  .git  .env  .env.*  !.env.example
# Run it against PostgreSQL (SHOP_DATABASE_URL is the database URL):
#   docker run -p 3000:3000 -e SHOP_DATABASE_URL=postgresql://... shop-web
# The server starts without migrating (SLIPWAY_MIGRATE_ON_START=false);
# apply apps/web/prisma/migrations with a job that runs the same image:
#   docker run --rm -e SHOP_DATABASE_URL=... -e SLIPWAY_MIGRATE_ON_START=true shop-web true

# base: the Node image plus what Prisma needs at run time (OpenSSL, CA certificates).
FROM node:24-bookworm-slim AS base
RUN apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssl ca-certificates >/dev/null && \
    rm -rf /var/lib/apt/lists/*
WORKDIR /app

# manifests: every package.json of the workspace, in place, for the install.
# A source change reruns this stage; the install stays cached unless a manifest changed.
FROM base AS manifests
WORKDIR /src
COPY . .
RUN find . -name package.json -not -path '*/node_modules/*' -not -path '*/.next/*' | while read -r f; do mkdir -p "/manifests/${f%/*}" && cp "$f" "/manifests/$f"; done

# deps: the package manager's own frozen install from the lockfile and install inputs
# alone, so a source change does not bust it; the package store is a cache mount,
# never node_modules. The app's settings decide which dependencies' build scripts
# run; the lifecycle scripts of the root and workspace packages never do: they are
# stripped from the manifests the install sees, and the real ones copied back after.
FROM base AS deps
ENV npm_config_cache=/root/.npm
COPY package.json /app/package.json
COPY .npmrc /app/.npmrc
COPY apps/web/package.json /app/apps/web/package.json
COPY package-lock.json /app/package-lock.json
COPY --from=manifests /manifests/ /app/
COPY <<'EOF' /usr/local/lib/slipway/strip-scripts.cjs
// strip-scripts.cjs DIR: drop the lifecycle scripts of every package.json under DIR
EOF
WORKDIR /app
RUN --mount=type=cache,id=slipway-npm-store,target=/root/.npm \
    node /usr/local/lib/slipway/strip-scripts.cjs /app && \
    npm ci
# The real manifests, lifecycle scripts and all, for the build.
COPY package.json /app/package.json
COPY apps/web/package.json /app/apps/web/package.json
COPY --from=manifests /manifests/ /app/

# builder: the whole source over the install, then `prisma generate` and `next build`,
# with the Next.js build cache in a cache mount. The build secret, when given, is
# read from its mounted file in the commands that need it and never stored.
FROM deps AS builder
COPY . /app/
WORKDIR /app/apps/web
ENV NEXT_TELEMETRY_DISABLED=1 \
    SHOP_DATABASE_URL=postgresql://slipway:build-placeholder@localhost:5432/build
# prisma generate, where the Prisma config is. No database is reached: the
# placeholder URLs above satisfy the config's env() and the app's env checks.
RUN --mount=type=secret,id=build_env,target=/run/secrets/build_env \
    if [ -f /run/secrets/build_env ]; then set -a && . /run/secrets/build_env && set +a; fi && \
    npx --no-install prisma generate
RUN --mount=type=secret,id=build_env,target=/run/secrets/build_env \
    --mount=type=cache,id=slipway-next-cache-shop-web-apps-web,target=/app/apps/web/.next/cache \
    if [ -f /run/secrets/build_env ]; then set -a && . /run/secrets/build_env && set +a; fi && \
    npm run build
# The runner takes no .env file and no build cache from the standalone output;
# public/ is optional, so make sure it exists for the copy below.
RUN find .next/standalone \( -name .env -o -name '.env.*' -o -path '*/node_modules/.cache' \) -prune -exec rm -rf {} + && \
    mkdir -p public

# prisma-cli: the Prisma CLI and every package it needs, installed apart and
# copied into the runner, which runs `prisma migrate deploy` before the server.
FROM base AS prisma-cli
WORKDIR /opt/prisma-cli
RUN --mount=type=cache,id=slipway-npm-store,target=/root/.npm \
    npm install --no-save --no-package-lock --omit=dev --ignore-scripts prisma@7.10.0

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
RUN --mount=type=bind,from=builder,source=/app/apps/web/.next/standalone,target=/stage/addons \
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
COPY --from=builder /app/apps/web/.next/standalone/ /app/
COPY --from=builder /app/apps/web/.next/static /app/apps/web/.next/static
COPY --from=builder /app/apps/web/public /app/apps/web/public
COPY --from=rootfs --chown=1001:1001 /empty/ /app/apps/web/.next/cache/
# The HEALTHCHECK runs this with Node, so the image needs neither wget nor curl.
COPY <<'EOF' /usr/local/lib/slipway/healthcheck.cjs
// healthcheck.cjs: exit 0 when GET $SLIPWAY_HEALTH_PATH answers 2xx or 3xx
EOF
COPY apps/web/prisma/migrations /app/apps/web/prisma/migrations
COPY --from=prisma-cli /opt/prisma-cli/node_modules/ /app/apps/web/node_modules/
COPY apps/web/prisma/schema.prisma /app/apps/web/prisma/schema.prisma
COPY apps/web/prisma.config.ts /app/apps/web/prisma.config.ts
# The entrypoint: `prisma migrate deploy`, then exec the server.
COPY --chmod=755 <<'EOF' /usr/local/lib/slipway/start.sh
#!/bin/sh
# start.sh: prisma migrate deploy unless SLIPWAY_MIGRATE_ON_START=false
exec "$@"
EOF
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    HOSTNAME=0.0.0.0 \
    SLIPWAY_HEALTH_PATH=/api/health \
    SLIPWAY_MIGRATIONS_DIR=/app/apps/web/prisma/migrations \
    SLIPWAY_DATABASE_URL_ENV=SHOP_DATABASE_URL \
    SLIPWAY_APP_DIR=/app/apps/web \
    SLIPWAY_MIGRATE_ON_START=false
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --start-interval=1s --retries=3 \
    CMD ["node", "/usr/local/lib/slipway/healthcheck.cjs"]
USER 1001:1001
# Migrate (unless SLIPWAY_MIGRATE_ON_START=false), then exec the server, so
# signals reach Node and its exit code is kept.
ENTRYPOINT ["/usr/local/lib/slipway/start.sh"]
CMD ["node", "/app/apps/web/server.js"]
LABEL org.opencontainers.image.title="@shop/web"
