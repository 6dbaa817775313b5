#!/usr/bin/env bash
# The container's command: index the mounted articles (unchanged ones are a no-op, so a
# restart is quick), then serve on every interface of the container.
#   scripts/serve.sh ARTICLES_DIR
set -euo pipefail
ARTICLES=${1:-/articles}
if [ -n "$(find "$ARTICLES" -type f -print -quit 2>/dev/null)" ]; then
  accordingto index "$ARTICLES" --quiet
else
  echo "no article files in $ARTICLES: mount a folder there (see the README, Deployment)" >&2
fi
exec accordingto serve --host 0.0.0.0 --port "${ACCORDINGTO_PORT:-8000}"
