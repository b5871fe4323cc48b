#!/usr/bin/env bash
# The paper's protocol, period by period: `periods` on MovieLens 100K cut into 8 periods of equal
# size and on the drifting stream of `prep drifting` (8 one-day periods, seed 42), 3 epochs a
# period, every variant (carried, reset, uncorrected, scratch), default towers. Rewrites the
# periods block of README.md, bench/results/periods.json and the charts
# bench/results/periods-*.png.
#
#   bench/compare-periods.sh [ML_100K_DIR]   (a prepared MovieLens 100K; default: the one
#                                             bench/compare-baselines.sh prepared)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ML=${1:-$ROOT/bench/work/baselines/ml-100k}
WORK=$ROOT/bench/work/periods
JAR=${JAR:-$ROOT/training/target/sbcnm-train.jar}
EPOCHS=${EPOCHS:-3}
[ -f "$JAR" ] || (cd "$ROOT" && mvn -B -q install -DskipTests)
[ -f "$ML/interactions.csv" ] || { echo "no prepared MovieLens 100K at $ML (prep movielens)"; exit 2; }
SBCNM_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
git -C "$ROOT" diff --quiet HEAD || SBCNM_COMMIT="$SBCNM_COMMIT+local"
export SBCNM_COMMIT EPOCHS
rm -rf "$WORK" && mkdir -p "$WORK"
java -jar "$JAR" prep drifting --seed 42 --out "$WORK/drifting-data" > /dev/null
for pair in "ml-100k:$ML" "drifting:$WORK/drifting-data"; do
  name=${pair%%:*}
  data=${pair#*:}
  echo "$name: periods, $EPOCHS epochs a period"
  start=$(date +%s.%N)
  java -jar "$JAR" periods --data "$data" --periods 8 --epochs "$EPOCHS" --out "$WORK/$name" \
    > "$WORK/$name.log" 2> "$WORK/$name.err"
  python3 -c "print($(date +%s.%N) - $start)" > "$WORK/$name.seconds"
  cp "$WORK/$name/periods.png" "$ROOT/bench/results/periods-$name.png"
done
python3 "$ROOT/bench/scripts/periods_table.py" "$ROOT" "$WORK" ml-100k drifting
