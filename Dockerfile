# Build stage: compile TypeScript and the native SQLite binding.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY lrs ./lrs
COPY projections ./projections
RUN npm run build && npm prune --omit=dev

# Runtime stage: compiled code, production dependencies, schemas and mappings.
FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=8080 SQLITE_PATH=/data/lrs.db
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY schemas ./schemas
COPY mappings ./mappings
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
CMD ["node", "bin/lrs.js", "serve"]
