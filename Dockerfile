# syntax=docker/dockerfile:1
# Build: dependencies (native better-sqlite3) and the generated Prisma clients.
FROM node:22-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci
COPY . .
RUN npm run typecheck && npm prune --omit=dev

# Run: no compilers, non-root, migrations applied by the program at start.
FROM node:22-bookworm-slim
ENV NODE_ENV=production HTTP_HOST=0.0.0.0 HTTP_PORT=8080 DATABASE_URL=file:/data/bot.db
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--import", "tsx", "src/main.ts"]
