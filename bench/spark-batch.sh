#!/usr/bin/env bash
# Batch inference on Spark against one JVM, on the same checkpoint and data: `recommend` from the
# spark module's jar through spark-submit's own entry point (org.apache.spark.deploy.SparkSubmit,
# what the spark-submit script runs) on local[2], against `eval` (every test user ranked against
# the catalogue, with top lists) and `export` (every embedding) in one JVM. Two datasets:
#   bench50k: `prep synthetic --preset bench` (100,000 users, 50,000 items), the default model
#             trained one epoch;
#   items1m:  1,000,000 items, 50,000 users with 30 interactions each (every item at least once),
#             prepared once by `prep csv` and once by the Spark `prep` (both timed, bytes
#             compared), the default towers trained one epoch with lazyadam.
# Spark runs three ways: the catalogue broadcast; broadcast with --profile (one more GEMM pass,
# to time scoring apart from top K); cut into 4 item blocks with --profile. Rewrites the spark
# block of README.md and bench/results/spark.json.
#
#   bench/spark-batch.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-$ROOT/bench/work/spark}
JAR=$ROOT/training/target/sbcnm-train.jar
SPARK_JAR=$ROOT/spark/target/sbcnm-spark.jar
[ -f "$JAR" ] && [ -f "$SPARK_JAR" ] || (cd "$ROOT" && mvn -B -q install -Pspark -DskipTests)
SBCNM_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
git -C "$ROOT" diff --quiet HEAD || SBCNM_COMMIT="$SBCNM_COMMIT+local"
export SBCNM_COMMIT
mkdir -p "$WORK"
# Spark's classpath as a cluster supplies it: the module's provided dependencies only.
(cd "$ROOT" && mvn -B -q -Pspark -pl spark \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.includeScope=provided -Dmdep.outputFile="$WORK/spark-classpath.txt")
OPENS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
--add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
--add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
--add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
--add-opens=java.base/sun.util.calendar=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
-Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true"
# In local mode spark-submit runs the driver (and the executors' threads) in this JVM.
submit() {
  # shellcheck disable=SC2086
  java -Xmx16g --add-modules jdk.incubator.vector $OPENS -cp "$(cat "$WORK/spark-classpath.txt")" \
    org.apache.spark.deploy.SparkSubmit --master 'local[2]' --conf spark.ui.enabled=false \
    --conf spark.sql.shuffle.partitions=4 --class org.sbcnm.spark.SparkJobs "$SPARK_JAR" "$@"
}
seconds() { python3 -c "import time; print(f'{time.time():.3f}')"; }
timed() {  # timed NAME COMMAND...: runs it, appends {"name", "seconds"} to times.jsonl
  local name=$1; shift
  local t0; t0=$(seconds)
  "$@"
  local t1; t1=$(seconds)
  python3 -c "import json,sys; print(json.dumps({'name': sys.argv[1], 'seconds': round(float(sys.argv[3]) - float(sys.argv[2]), 2)}))" \
    "$name" "$t0" "$t1" >> "$WORK/times.jsonl"
}
: > "$WORK/times.jsonl"

run_dataset() {  # run_dataset NAME DATA CKPT
  local name=$1 data=$2 ckpt=$3
  timed "$name/eval" java -jar "$JAR" eval --data "$data" --ckpt "$ckpt" --k 10,50,100 --quiet \
    --metrics_json "$WORK/$name-eval.json" > "$WORK/$name-eval.txt"
  timed "$name/export" java -jar "$JAR" export --data "$data" --ckpt "$ckpt" \
    --out "$WORK/$name-export" --overwrite > /dev/null
  timed "$name/spark" submit recommend --data "$data" --ckpt "$ckpt" --k 100 --eval_k 10,50,100 \
    --out "$WORK/$name-top" --overwrite --metrics_json "$WORK/$name-spark.json" > /dev/null
  timed "$name/spark-profile" submit recommend --data "$data" --ckpt "$ckpt" --k 100 \
    --eval_k 10,50,100 --out "$WORK/$name-top-profile" --overwrite --profile \
    --metrics_json "$WORK/$name-spark-profile.json" > /dev/null
  timed "$name/spark-blocks" submit recommend --data "$data" --ckpt "$ckpt" --k 100 \
    --eval_k 10,50,100 --item_blocks 4 --out "$WORK/$name-top-blocks" --overwrite --profile \
    --metrics_json "$WORK/$name-spark-blocks.json" > /dev/null
}

B50=$WORK/bench50k
[ -f "$B50/interactions.csv" ] || java -jar "$JAR" prep synthetic --preset bench --out "$B50"
[ -f "$WORK/bench50k.sbcnm" ] || java -jar "$JAR" train --data "$B50" --epochs 1 --quiet \
  --save_path "$WORK/bench50k.sbcnm" > /dev/null
run_dataset bench50k "$B50" "$WORK/bench50k.sbcnm"

M1=$WORK/items1m
[ -f "$WORK/items1m.csv" ] || python3 - "$WORK/items1m.csv" <<'PY'
import random, sys
rng = random.Random(1)
items, users, zipf_draws = 1_000_000, 50_000, 10
# Every item once (user u holds items u, u + 50,000, ...: 20 each), then 10 Zipf-like draws a user
# (rank r drawn as floor(items ** U) - 1), each user's 30 events shuffled into time order.
with open(sys.argv[1], "w") as f:
    f.write("user_id,item_id,timestamp\n")
    t = 0
    for u in range(users):
        mine = list(range(u, items, users)) + [int(items ** rng.random()) - 1 for _ in range(zipf_draws)]
        rng.shuffle(mine)
        for i in mine:
            t += 1
            f.write(f"u{u},i{i},{t}\n")
PY
timed items1m/prep-csv java -jar "$JAR" prep csv --interactions "$WORK/items1m.csv" \
  --time_col timestamp --out "$M1" --overwrite > /dev/null
timed items1m/prep-spark submit prep --input "$WORK/items1m.csv" --time_col timestamp \
  --out "$M1-spark" --overwrite > /dev/null
for f in interactions.csv q_idmap.csv i_idmap.csv q_feats.npy i_feats.npy; do
  cmp "$M1/$f" "$M1-spark/$f"
done
echo "items1m: Spark prep wrote the same bytes as prep csv"
# lazyadam: with a million-row table, dense Adam would move every row at every step.
[ -f "$WORK/items1m.sbcnm" ] || java -jar "$JAR" train --data "$M1" --epochs 1 --quiet \
  --optimizer lazyadam --save_path "$WORK/items1m.sbcnm" > /dev/null
run_dataset items1m "$M1" "$WORK/items1m.sbcnm"
python3 "$ROOT/bench/scripts/spark_table.py" "$ROOT" "$WORK"
