# The webinar worker (and, with the compose profile "emulator", the Chime SDK emulator).
# Build: docker build -t chime-webinar-worker .   Run: see docker-compose.yml and docs/running.md.
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production
# Inside a container the metrics endpoint listens on every interface of the container (the worker's default,
# outside containers, is 127.0.0.1): see docs/security.md.
ENV METRICS_HOST=0.0.0.0

# Dependencies first, so the layer is cached while only sources change. Dev dependencies stay: the emulator
# profile runs from source with ts-node (npm run emulator).
COPY package.json package-lock.json ./
RUN npm ci --include=dev --ignore-scripts

COPY . .
RUN npm run build

# The worker bundles the compiled workflows (dist/workflows) at start.
USER node
EXPOSE 9464
CMD ["node", "dist/worker/main.js"]
