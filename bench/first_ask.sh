#!/usr/bin/env bash
# How long the first /ask after `serve` takes: start the server on a free loopback port,
# wait (at most 120 s) for /health to say ready, time two /ask calls, stop the server.
#   bash bench/first_ask.sh [INDEX_DIR]    (builds an index of samples/ there if none)
set -u
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
PY=${PY:-.venv/bin/python}
IDX=${1:-$(mktemp -d)/index}
[ -e "$IDX/current" ] || $PY -c 'from app.cli import main; main()' index samples --index-dir "$IDX" -q >/dev/null
PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
START=$(date +%s.%N)
$PY -c 'from app.cli import main; main()' serve --index-dir "$IDX" --port "$PORT" 2>/dev/null >/dev/null &
PID=$!
trap 'kill $PID 2>/dev/null' EXIT
code=000
for _ in $(seq 1 240); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "127.0.0.1:$PORT/health")
  [ "$code" = 200 ] && break
  sleep 0.5
done
echo "ready (/health $code) after $($PY -c "import time; print(round(time.time() - $START, 1))") s"
for n in 1 2; do
  curl -s -o /dev/null -w "/ask $n: %{http_code} in %{time_total} s\n" "127.0.0.1:$PORT/ask" \
    -H 'content-type: application/json' -d '{"question": "Who said what about the troops?"}'
done
