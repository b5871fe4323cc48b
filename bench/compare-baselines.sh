#!/usr/bin/env bash
# Test Recall/NDCG@10/50 of the simple baselines (most popular, item-kNN, iALS, EASE; each tuned on
# the validation split), sbcnm's default `train`, and sbcnm after `tune` (10-minute budget), on the
# synthetic `small` preset and, when given its folder, MovieLens 100K; rewrites the README's
# baselines table and bench/results/baselines.json.
#
#   bench/compare-baselines.sh [ML_100K_DIR]    (the official ml-100k folder: u.data, u.item, u.user)
#
# The baselines are deterministic; `tune` runs once per seed in SEEDS (default 0 1 2) and the table
# gives the mean and standard deviation over them. Every row gives its wall time on this machine.
# ONLY="ml-100k" reruns just the datasets named and keeps the others' last results (the table says
# which commit each dataset's rows come from).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$ROOT/bench/work/baselines
JAR=$ROOT/training/target/sbcnm-train.jar
BUDGET=${BUDGET_MINUTES:-10}
SEEDS=${SEEDS:-0 1 2}
mkdir -p "$WORK"
[ -f "$JAR" ] || (cd "$ROOT" && mvn -B -q install -DskipTests)
SBCNM_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
git -C "$ROOT" diff --quiet HEAD || SBCNM_COMMIT="$SBCNM_COMMIT+local"
export SBCNM_COMMIT BUDGET SEEDS
J=(java -jar "$JAR")
ONLY=${ONLY:-}
# rerun NAME: whether this invocation measures dataset NAME (all unless ONLY names some).
rerun() { [ -z "$ONLY" ] || [[ " $ONLY " == *" $1 "* ]]; }
DATASETS=(synth-small)
[ -d "$WORK/synth-small" ] || "${J[@]}" prep synthetic --preset small --seed 42 --out "$WORK/synth-small" > /dev/null
if [ $# -ge 1 ]; then
  [ -d "$WORK/ml-100k" ] || "${J[@]}" prep movielens --src "$1" --out "$WORK/ml-100k" > /dev/null
  DATASETS+=(ml-100k)
fi
# timed FILE COMMAND...: runs the command quietly, writes its wall seconds to FILE.
timed() {
  local file=$1 start
  shift
  start=$(date +%s.%N)
  "$@" > /dev/null 2>&1
  echo "$(date +%s.%N) - $start" | bc > "$file"
}
for d in "${DATASETS[@]}"; do
  rerun "$d" || continue
  rm -rf "$WORK/$d"-*.json "$WORK/$d"-*.err "$WORK/$d"-*.sbcnm "$WORK/$d"-*.lock "$WORK/$d"-tune-* \
    "$WORK/$d"-*.time
  echo "$SBCNM_COMMIT" > "$WORK/$d.commit"
  echo "$d: default train"
  timed "$WORK/$d-default.time" "${J[@]}" train --data "$WORK/$d" \
    --save_path "$WORK/$d-default.sbcnm" --quiet
  echo "$d: baselines"
  "${J[@]}" eval --data "$WORK/$d" --ckpt "$WORK/$d-default.sbcnm" --k 10,50 --baselines all \
    --metrics_json "$WORK/$d-eval.json" > /dev/null 2> "$WORK/$d-eval.err"
  for seed in $SEEDS; do
    echo "$d: tune ($BUDGET minutes, seed $seed)"
    timed "$WORK/$d-tune-$seed.time" "${J[@]}" tune --data "$WORK/$d" --out "$WORK/$d-tune-$seed" \
      --budget_minutes "$BUDGET" --seed "$seed"
    "${J[@]}" eval --data "$WORK/$d" --ckpt "$WORK/$d-tune-$seed/best.sbcnm" --k 10,50 \
      --metrics_json "$WORK/$d-tuned-$seed.json" > /dev/null 2>&1
  done
done
python3 "$ROOT/bench/scripts/baselines_table.py" "$ROOT" "$WORK" "${DATASETS[@]}"
