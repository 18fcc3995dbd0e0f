# syntax=docker/dockerfile:1

# --- build: compile TypeScript to dist/ ------------------------------------------------------
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies and the compiled code only -----------------------------
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3000 OPS_PORT=9091
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY greenlight.example.yml manifest.yml ./
USER node
EXPOSE 3000 9091
# /healthz on OPS_PORT: every role serves it there (a worker does not listen on PORT).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.OPS_PORT || 9091) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
