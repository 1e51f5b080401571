# config-triage: the GitHub App's webhook server, for Cloud Run (or any container host).
# Build: docker build -t config-triage .    Run: see "Deploy on Cloud Run" in the README.

# --- build: compile TypeScript with the dev dependencies ---
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies and the compiled output only, as the unprivileged `node` user ---
FROM node:24-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    LOG_FORMAT=json \
    LOG_LEVEL=info
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY templates ./templates
COPY schema ./schema
COPY app.yml ./
USER node
EXPOSE 8080
CMD ["node", "dist/entry/server/main.js"]
