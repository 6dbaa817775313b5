# The service on a mounted folder of articles: docker compose up (see compose.yaml).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY app app
COPY indexer indexer
COPY eval eval
COPY prompts prompts
COPY scripts scripts
# The same install step as CI (.ci/run): tests/test_deploy.py checks that they agree.
RUN VENV=/opt/venv scripts/install.sh
ENV PATH=/opt/venv/bin:$PATH \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    ACCORDINGTO_INDEX_DIR=/data/index
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --start-period=120s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
CMD ["scripts/serve.sh", "/articles"]
