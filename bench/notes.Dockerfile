# The reference: a hand-written multi-stage Dockerfile for the notes fixture
# (testdata/fixtures/notes), in the shape apps write themselves (base, deps,
# builder, runner) on the Debian Node image Slipway builds with. bench/run
# builds it with the engine's Dockerfile builder (Directory.DockerBuild) next
# to `dagger call image`. The context is the app without node_modules, .next,
# .git and .env files, as Slipway's source is.

# base: the Node image plus OpenSSL, which Prisma needs.
FROM node:24-bookworm-slim AS base
RUN apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssl ca-certificates >/dev/null && \
    rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1

# deps: the production install, plus the Prisma CLI (a dev dependency) and
# everything it needs, merged in without replacing a production package:
# the runner migrates with it at start. npm's store is a cache mount.
FROM base AS deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund && \
    version=$(node -p "require('./package-lock.json').packages['node_modules/prisma'].version") && \
    mkdir /tmp/prisma-cli && cd /tmp/prisma-cli && \
    npm install --no-save --no-package-lock --omit=dev --ignore-scripts --no-audit --no-fund "prisma@$version" && \
    cp -Rn node_modules/. /app/node_modules/ && \
    rm -rf /tmp/prisma-cli

# builder: every dependency, the source, prisma generate, next build.
FROM base AS builder
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY . .
# prisma.config.ts reads DATABASE_URL with env(), which throws when it is
# unset; no database is reached. The prisma-client generator needs no schema
# engine: any existing file stands in for one, so the CLI downloads nothing.
ENV DATABASE_URL=postgresql://build:build@localhost:5432/build \
    PRISMA_SCHEMA_ENGINE_BINARY=/app/package.json
RUN npx prisma generate
RUN npx next build

# runner: the standalone server, static files, public, and the Prisma CLI
# for `prisma migrate deploy` before the server starts.
FROM base AS runner
ENV NODE_ENV=production \
    PORT=3000 \
    HOSTNAME=0.0.0.0
RUN groupadd --system --gid 1001 nodejs && \
    useradd --system --uid 1001 --gid nodejs nextjs && \
    mkdir .next && chown nextjs:nodejs .next
COPY --from=deps /app/node_modules ./node_modules
COPY --from=builder /app/public ./public
COPY --from=builder /app/.next/standalone ./
COPY --from=builder /app/.next/static ./.next/static
COPY prisma ./prisma
COPY prisma.config.ts ./
USER nextjs
EXPOSE 3000
CMD npx prisma migrate deploy && node server.js
