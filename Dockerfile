# The spoc image that compose.yaml runs (several workers on one PostgreSQL database).
# Not needed for the embedded default: `pip install -e . && spoc run` runs on a SQLite file.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot bot
COPY adapters adapters
COPY core core
COPY kb kb
RUN pip install --no-cache-dir . && useradd --system --home /app spoc
USER spoc
CMD ["spoc", "run", "--config", "/etc/spoc/spoc.yaml"]
