# syntax=docker/dockerfile:1
# Multi-stage build: compile TypeScript in a build stage; the runtime stage holds only dist/,
# rules/ and the production dependencies, on a slim Node 20 LTS image, as a non-root user.
# test/runtime/packaging.test.ts reproduces the runtime stage's steps without Docker.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
RUN npx tsc -p tsconfig.build.json

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
# The forecast explorer page (GET /): static files served from beside the compiled routes.
COPY --from=build /app/src/explorer/public ./dist/src/explorer/public
COPY rules ./rules
# The image's built-in unprivileged user (uid 1000); nothing under /app is writable by it.
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "require('http').get('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
# node as PID 1 handles SIGTERM itself (graceful drain, see README "Shutdown").
CMD ["node", "dist/src/main.js"]
