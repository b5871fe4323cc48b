#!/usr/bin/env bash
# Trains sbcnm and the PyTorch reference (shared/peers) on the same synthetic files, back to back on
# this machine, and rewrites the results table of README.md and bench/results/peers.json.
#
#   bench/compare-peers.sh [PEERS_DIR]      (default ../shared/peers; see its README to install)
#
# Accuracy: synth-small (make_synth.py --preset small --seed 42), 5 epochs, Recall@50 of the final
# model. Speed: synth-bench (--preset bench), batch 1024, 2 threads, median step of 300 measured
# steps (sbcnm after 150 warm-up steps for the JIT; PyTorch after its script's 20). Retrieval:
# exact top-100 of 1,024-query batches over random unit vectors (JMH RetrievalBenchmark against
# faiss_topk.py's IndexFlatIP), 2 threads. About 15 minutes.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEERS=$(cd "${1:-$ROOT/../shared/peers}" && pwd)
WORK=$ROOT/bench/work
JAR=$ROOT/training/target/sbcnm-train.jar
# The peers run on Debian's interpreter, where their packages are (shared/peers/README.md).
export PY=${PY:-/usr/bin/python3}
export OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE
mkdir -p "$WORK"
SBCNM_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
git -C "$ROOT" diff --quiet HEAD || SBCNM_COMMIT="$SBCNM_COMMIT+local"
export SBCNM_COMMIT
[ -f "$JAR" ] || (cd "$ROOT" && mvn -B -q install -DskipTests)
for preset in small bench; do
  [ -f "$WORK/synth-$preset/interactions.csv" ] ||
    "$PY" "$PEERS/make_synth.py" --preset $preset --seed 42 --out "$WORK/synth-$preset" > /dev/null
done
rm -f "$WORK"/*.json "$WORK"/*.jsonl "$WORK"/*.sbcnm

# name, sbcnm flags, PyTorch flags; both at the reference script's settings (batch 1024, Adam 1e-3)
SAME="--batch_size 1024 --lr 0.001 --item_tower mlp"
ACCURACY=(
  "mlp-corrected|--query_tower mlp $SAME|--logq"
  "mlp-uncorrected|--query_tower mlp $SAME --no_bias_correction|"
  "id-corrected|--query_tower id $SAME|--logq --query_tower id"
)
for row in "${ACCURACY[@]}"; do
  IFS='|' read -r name ours theirs <<< "$row"
  echo "accuracy: $name"
  # shellcheck disable=SC2086
  java -jar "$JAR" train --data "$WORK/synth-small" --epochs 5 $ours --quiet \
    --save_path "$WORK/$name.sbcnm" --metrics_json "$WORK/sbcnm-$name.json" > /dev/null
  # shellcheck disable=SC2086
  "$PY" "$PEERS/torch_twotower.py" --data "$WORK/synth-small" --epochs 5 $theirs \
    --json "$WORK/torch-$name.jsonl" > /dev/null
done
for tower in mlp id; do
  echo "speed: $tower query tower"
  java -jar "$JAR" bench-train --data "$WORK/synth-bench" --query_tower $tower --steps 300 \
    --warmup 150 --json "$WORK/sbcnm-speed-$tower.json" > /dev/null
  "$PY" "$PEERS/torch_twotower.py" --data "$WORK/synth-bench" --max_steps 320 --logq \
    --query_tower $tower --json "$WORK/torch-speed-$tower.jsonl" > /dev/null
done

echo "retrieval: exact top-100"
java --add-modules jdk.incubator.vector -jar "$ROOT/bench/target/benchmarks.jar" RetrievalBenchmark \
  -p threads=2 -f 1 -wi 2 -w 2s -i 4 -r 2s -rf json -rff "$WORK/jmh-retrieval.json" > /dev/null
"$PY" "$PEERS/faiss_topk.py" --n 50000 1000000 --nq 10000 --threads 2 --hnsw_max_n 0 \
  --json "$WORK/faiss.jsonl" > /dev/null

python3 "$ROOT/bench/scripts/peers_table.py" "$ROOT" "$WORK"
