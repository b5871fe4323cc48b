#!/usr/bin/env bash
# Load on `serve`: the 50,000-item synthetic preset (`prep synthetic --preset bench`), the default
# model trained one epoch, GET /recommend at k = 100 from 1, 8 and 64 concurrent clients for
# SECONDS each (default 10, at most 200,000 requests a level), with exact search (each request
# alone, then batched with --search_threads 1) and with an HNSW index; then 8 clients while the
# model is reloaded every 2 seconds, counting failed requests.
# Server and clients share this machine's cores. Rewrites the serve block of README.md and
# bench/results/serve.json.
#
#   bench/serve-load.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$ROOT/bench/work/serve
JAR=${JAR:-$ROOT/training/target/sbcnm-train.jar}
BENCH=${BENCH:-$ROOT/bench/target/benchmarks.jar}
SECONDS_PER_LEVEL=${SECONDS_PER_LEVEL:-10}
PORT=${PORT:-18080}
[ -f "$JAR" ] && [ -f "$BENCH" ] || (cd "$ROOT" && mvn -B -q install -DskipTests)
SBCNM_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
git -C "$ROOT" diff --quiet HEAD || SBCNM_COMMIT="$SBCNM_COMMIT+local"
export SBCNM_COMMIT SECONDS_PER_LEVEL
mkdir -p "$WORK"
DATA=$WORK/bench-data
[ -f "$DATA/interactions.csv" ] || java -jar "$JAR" prep synthetic --preset bench --out "$DATA"
if [ ! -f "$WORK/a.sbcnm" ]; then
  java -jar "$JAR" train --data "$DATA" --epochs 1 --quiet --save_path "$WORK/a.sbcnm" > /dev/null
  java -jar "$JAR" export --ckpt "$WORK/a.sbcnm" --data "$DATA" --out "$WORK/export" --hnsw > /dev/null
fi
cp "$WORK/a.sbcnm" "$WORK/b.sbcnm"
HNSW=$(ls "$WORK"/export/*hnsw*)
LOAD="java -cp $BENCH org.sbcnm.bench.ServeLoad http://127.0.0.1:$PORT $DATA/q_idmap.csv 100"

serve() {  # serve [--index FILE]: starts the server, waits until it answers
  java -jar "$JAR" serve --data "$DATA" --ckpt "$WORK/a.sbcnm" --port "$PORT" "$@" \
    > "$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && return 0
    sleep 1
  done
  echo "server did not start; see $WORK/server.log"; exit 1
}
stop() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; }

serve
$LOAD "$SECONDS_PER_LEVEL" 200000 1,8,64 > "$WORK/exact.jsonl"
$LOAD "$SECONDS_PER_LEVEL" 200000 8 2 "$WORK/b.sbcnm" "$WORK/a.sbcnm" > "$WORK/reload.jsonl"
stop
serve --search_threads 1
$LOAD "$SECONDS_PER_LEVEL" 200000 1,8,64 > "$WORK/batched.jsonl"
stop
serve --index "$HNSW"
$LOAD "$SECONDS_PER_LEVEL" 200000 1,8,64 > "$WORK/hnsw.jsonl"
stop
python3 "$ROOT/bench/scripts/serve_table.py" "$ROOT" "$WORK"
