#!/usr/bin/env bash
# Cross-batch negatives (--xbm_size M) against plain in-batch negatives at equal steps: `train`
# with its defaults (10 epochs) and M = 0, 1024, 4096 on each prepared dataset given, seeds SEEDS
# (default 0 1 2); test Recall/NDCG@50 (mean ± standard deviation) and training examples per
# second. Rewrites the cross-batch table of bench/README.md and bench/results/xbm.json.
#
#   bench/compare-xbm.sh DATA_DIR...     (prepared datasets, e.g. from `prep movielens`)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$ROOT/bench/work/xbm
JAR=${JAR:-$ROOT/training/target/sbcnm-train.jar}
SEEDS=${SEEDS:-0 1 2}
SIZES=${SIZES:-0 1024 4096}
[ -f "$JAR" ] || (cd "$ROOT" && mvn -B -q install -DskipTests)
SBCNM_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
git -C "$ROOT" diff --quiet HEAD || SBCNM_COMMIT="$SBCNM_COMMIT+local"
export SBCNM_COMMIT SEEDS SIZES
rm -rf "$WORK" && mkdir -p "$WORK"
NAMES=()
for data in "$@"; do
  name=$(basename "$data")
  NAMES+=("$name")
  for size in $SIZES; do
    for seed in $SEEDS; do
      echo "$name: xbm_size $size (seed $seed)"
      java -jar "$JAR" train --data "$data" --xbm_size "$size" --seed "$seed" --quiet \
        --save_path "$WORK/$name-$size-$seed.sbcnm" \
        --metrics_json "$WORK/$name-$size-$seed.json" > /dev/null
    done
  done
done
python3 "$ROOT/bench/scripts/xbm_table.py" "$ROOT" "$WORK" "${NAMES[@]}"
