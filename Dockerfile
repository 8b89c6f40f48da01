# syntax=docker/dockerfile:1
#
# The connector image: ECS Fargate, linux/arm64 (`cdk deploy` builds it from the repository root, see
# lib/constructs/connector-service.ts). It runs connector/main.ts, the process entry that calls
# startConnector() from connector/connector.ts, the same function the local stack (`npm start`) runs.
#
#   docker build --platform linux/arm64 -t cti-bridge-connector .
#
# Stage 1 bundles connector/main.ts with esbuild (one ESM file, minified, source map); stage 2 holds only
# Node.js and that bundle and runs as the unprivileged `node` user.

ARG NODE_IMAGE=node:24-alpine

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Scripts off: nothing the bundle needs builds at install time (esbuild ships its binary as a package).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY shared ./shared
COPY connector ./connector
COPY vendors ./vendors
RUN npx esbuild connector/main.ts --bundle --platform=node --target=node24 --format=esm --minify --sourcemap --sources-content=false --legal-comments=none --main-fields=module,main "--banner:js=import { createRequire } from 'module'; const require = createRequire(import.meta.url);" --outfile=dist/connector.mjs

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    BRIDGE_CONNECTOR_PORT=8080
WORKDIR /app
# Owned by root, read-only for the process (the task also mounts the root file system read-only).
COPY --from=build /src/dist/ ./
USER node
EXPOSE 8080
# Same check as the ECS task definition's (lib/constructs/connector-service.ts HEALTHCHECK_SCRIPT).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# ECS stops a task with SIGTERM: connector/main.ts releases its leases, then exits.
STOPSIGNAL SIGTERM
CMD ["node", "connector.mjs"]
