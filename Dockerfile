# The app image: stateless, configured by environment (see README "Configuration").
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY server ./server
COPY sql ./sql
COPY scripts ./scripts
COPY tiles ./tiles
COPY web ./web
# The web app is built into the image, so a container only starts the service.
RUN node --import tsx scripts/build-web.ts
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
EXPOSE 8080
USER node
# Node runs the service itself (not npm or the tsx command in between), so SIGTERM from
# `docker stop` reaches it: it stops taking connections, finishes what it is answering within
# SHUTDOWN_TIMEOUT_MS and closes the database and Redis (README "Deployment").
CMD ["node", "--import", "tsx", "server/main.ts"]
