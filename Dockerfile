# syntax=docker/dockerfile:1
# 1. Build the phone app.
FROM node:20-bookworm-slim AS pwa
WORKDIR /build/pwa
COPY pwa/package.json pwa/package-lock.json pwa/.npmrc ./
RUN npm ci --no-audit --no-fund
COPY pwa/ ./
RUN npm run build

# 2. Run the API (it serves the built app at /).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    FIELDVISIT_ENV=production \
    FIELDVISIT_DATABASE_URL=sqlite:////data/fieldvisit.db \
    FIELDVISIT_VAR_DIR=/data
# A CJK TrueType font for the printable agreements; curl for the health check.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei curl \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 fieldvisit && mkdir /data && chown fieldvisit /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY api/ api/
COPY models/ models/
COPY migrations/ migrations/
COPY alembic.ini ./
RUN pip install --no-cache-dir .
COPY --from=pwa /build/pwa/dist pwa/dist
ENV FIELDVISIT_PWA_DIST=/app/pwa/dist
USER fieldvisit
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8000/api/v1/health || exit 1
# FIELDVISIT_SECRET_KEY must be given at run time: production refuses the default.
CMD ["sh", "-c", "alembic upgrade head && exec uvicorn api.main:create_app --factory --host 0.0.0.0 --port 8000 --workers ${WEB_CONCURRENCY:-2}"]
