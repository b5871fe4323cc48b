#!/usr/bin/env bash
# One change at a time from sbcnm's default `train`, each measured on the validation split (each
# user's second-to-last interaction): mean and standard deviation over SEEDS (default 0 1 2) of the
# best epoch's validation Recall/NDCG@50 (early stopping, patience 3, at most 40 epochs), with the
# test recall of that epoch's model beside it. Rewrites the ablation table of bench/README.md and
# bench/results/ablation.json.
#
#   bench/ablation.sh DATA_DIR [NAME]    (a prepared dataset, e.g. from `prep movielens`)
#
# About 15 minutes on MovieLens 100K on 2 cores.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$(cd "$1" && pwd)
NAME=${2:-$(basename "$DATA")}
WORK=$ROOT/bench/work/ablation
JAR=${JAR:-$ROOT/training/target/sbcnm-train.jar}
SEEDS=${SEEDS:-0 1 2}
[ -f "$JAR" ] || (cd "$ROOT" && mvn -B -q install -DskipTests)
SBCNM_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
git -C "$ROOT" diff --quiet HEAD || SBCNM_COMMIT="$SBCNM_COMMIT+local"
export SBCNM_COMMIT SEEDS
rm -rf "$WORK" && mkdir -p "$WORK"
# name|flags added to the defaults
VARIANTS=(
  "defaults|"
  "MLP query and item towers|--query_tower mlp --item_tower mlp"
  "ID query tower|--query_tower id"
  "history query, MLP item tower|--item_tower mlp"
  "batch 1024|--batch_size 1024"
  "learning rate 1e-3|--lr 0.001"
  "temperature 0.02|--temperature 0.02"
  "temperature 0.1|--temperature 0.1"
  "embeddings 32|--out_dim 32 --id_dim 32"
  "embeddings 128|--out_dim 128 --id_dim 128"
  "AdamW, weight decay 0.01|--optimizer adamw"
  "AdamW, weight decay 0.1|--optimizer adamw --weight_decay 0.1"
  "Adam, L2 weight decay 1e-4|--weight_decay 0.0001"
  "lazy Adam|--optimizer lazyadam"
  "mixed negatives 128|--mixed_negatives 128"
  "mixed negatives 512|--mixed_negatives 512"
  "full softmax|--full_softmax"
  "no correction|--correction none"
)
i=0
for row in "${VARIANTS[@]}"; do
  IFS='|' read -r name flags <<< "$row"
  for seed in $SEEDS; do
    echo "$name (seed $seed)"
    # shellcheck disable=SC2086
    java -jar "$JAR" train --data "$DATA" --validation --epochs 40 --patience 3 --seed "$seed" \
      $flags --quiet --save_path "$WORK/$i-$seed.sbcnm" --metrics_jsonl "$WORK/$i-$seed.jsonl" \
      --metrics_json "$WORK/$i-$seed.json" > /dev/null
  done
  printf '%s\t%s\n' "$name" "$flags" > "$WORK/$i.name"
  i=$((i + 1))
done
python3 "$ROOT/bench/scripts/ablation_table.py" "$ROOT" "$WORK" "$NAME" "$i"
