# Candor API: one stateless replica. Many of them share one PostgreSQL (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so a fixture edit does not reinstall them.
COPY pyproject.toml README.md LICENSE ./
COPY api ./api
COPY ratings ./ratings
RUN pip install . && rm -rf /root/.cache

COPY fixtures ./fixtures
COPY docs/methodology.md ./docs/methodology.md

RUN useradd --system --uid 10001 --no-create-home --home-dir /nonexistent candor \
    && mkdir -p /data && chown candor /data
USER candor

ENV CANDOR_DATABASE_URL=sqlite:///data/candor.sqlite3 \
    CANDOR_FIXTURES_DIR=/app/fixtures \
    CANDOR_METHODOLOGY_DOC=/app/docs/methodology.md

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]

CMD ["candor", "serve", "--host", "0.0.0.0", "--port", "8000", "--fixtures", "/app/fixtures", "--no-access-log"]
