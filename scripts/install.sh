#!/usr/bin/env bash
# The one install step that CI (.ci/run) and the container image (Dockerfile) both run, so
# the two cannot drift: a Python 3.11 virtualenv with this project and the given extras.
#   scripts/install.sh [EXTRAS]     e.g. scripts/install.sh dev,llm-server
# VENV (default .venv) says where the virtualenv goes.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
SPEC=.
if [ -n "${1:-}" ]; then SPEC=".[$1]"; fi
python3.11 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check -e "$SPEC"
