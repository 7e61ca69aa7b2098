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
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
EXPOSE 8080
USER node
CMD ["npm", "start"]
