# The webinar worker image, in stages (test/deploy/dockerfile.test.ts checks them as written and runs the
# production stage's commands):
#   deps        every dependency, from the lock file
#   build       `npm run build`: dist/ holds what ships (tsconfig.build.json: workflows, activities, worker,
#               client, domain)
#   emulator    development tooling: the Chime SDK emulator for the compose profile (`--target emulator`)
#   production  the default target: runtime dependencies only, dist/, a non-root user; it runs the worker, and
#               with another command the codec server, the join API or the events bridge (dist/client/*/main.js,
#               docker-compose.yml)
# Build: docker build -t chime-webinar-worker .   Run: see docker-compose.yml and docs/reference.md.
# The Node image is the release `npm test` runs on besides the machine's (tooling/node-lts.ts, package.json engines).
FROM node:24.22.3-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY domain ./domain
COPY workflows ./workflows
COPY activities ./activities
COPY worker ./worker
COPY client ./client
RUN npm run build

FROM deps AS emulator
COPY tsconfig.json ./
COPY domain ./domain
COPY emulator ./emulator
ENV CHIME_EMULATOR_HOST=0.0.0.0
USER node
EXPOSE 8088
CMD ["npm", "run", "emulator", "--", "--port", "8088"]

FROM node:24.22.3-bookworm-slim AS production
WORKDIR /app
ENV NODE_ENV=production
# Inside a container the metrics endpoint listens on the container's interfaces (the worker's default outside
# containers is 127.0.0.1; compose publishes the port on the host's loopback only): docs/security.md.
ENV METRICS_HOST=0.0.0.0
COPY package.json package-lock.json ./
# No install scripts are needed at run time: the Temporal core bridge ships prebuilt for Node-API.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# The worker bundles the compiled workflows (dist/workflows) at start, with webpack from @temporalio/worker.
COPY --from=build /app/dist ./dist
USER node
EXPOSE 9464
CMD ["node", "dist/worker/main.js"]
