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
export OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE
mkdir -p "$WORK"
[ -f "$JAR" ] || (cd "$ROOT" && mvn -B -q install -DskipTests)
for preset in small bench; do
  [ -f "$WORK/synth-$preset/interactions.csv" ] ||
    python3 "$PEERS/make_synth.py" --preset $preset --seed 42 --out "$WORK/synth-$preset" > /dev/null
done
rm -f "$WORK"/*.json "$WORK"/*.jsonl

# name, sbcnm flags, PyTorch flags
ACCURACY=(
  "mlp-corrected||--logq"
  "mlp-uncorrected|--no_bias_correction|"
  "id-corrected|--query_tower id|--logq --query_tower id"
)
for row in "${ACCURACY[@]}"; do
  IFS='|' read -r name ours theirs <<< "$row"
  echo "accuracy: $name"
  # shellcheck disable=SC2086
  java -jar "$JAR" train --data "$WORK/synth-small" --epochs 5 $ours --quiet \
    --save_path "$WORK/$name.sbcnm" --metrics_json "$WORK/sbcnm-$name.json" > /dev/null
  # shellcheck disable=SC2086
  python3 "$PEERS/torch_twotower.py" --data "$WORK/synth-small" --epochs 5 $theirs \
    --json "$WORK/torch-$name.jsonl" > /dev/null
done
for tower in mlp id; do
  echo "speed: $tower query tower"
  java -jar "$JAR" bench-train --data "$WORK/synth-bench" --query_tower $tower --steps 300 \
    --warmup 150 --json "$WORK/sbcnm-speed-$tower.json" > /dev/null
  python3 "$PEERS/torch_twotower.py" --data "$WORK/synth-bench" --max_steps 320 --logq \
    --query_tower $tower --json "$WORK/torch-speed-$tower.jsonl" > /dev/null
done

echo "retrieval: exact top-100"
java --add-modules jdk.incubator.vector -jar "$ROOT/bench/target/benchmarks.jar" RetrievalBenchmark \
  -p threads=2 -f 1 -wi 2 -w 2s -i 4 -r 2s -rf json -rff "$WORK/jmh-retrieval.json" > /dev/null
python3 "$PEERS/faiss_topk.py" --n 50000 1000000 --nq 10000 --threads 2 --hnsw_max_n 0 \
  --json "$WORK/faiss.jsonl" > /dev/null

python3 - "$ROOT" "$WORK" <<'PY'
import json, os, platform, re, subprocess, sys, datetime
root, work = sys.argv[1], sys.argv[2]
def load(path):
    with open(path) as f:
        text = f.read().strip()
    return json.loads(text.splitlines()[-1])
def sh(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
cpu = sh("lscpu | sed -n 's/^Model name: *//p'") or platform.processor()
flags = sh("grep -m1 -o -w -e avx512f -e avx2 /proc/cpuinfo | sort -u | tr '\\n' ' '")
simd = "AVX-512" if "avx512f" in flags else ("AVX2" if "avx2" in flags else "no AVX2")
jdk = sh("java -version 2>&1 | head -1").replace('"', "")
torch = sh("python3 -c 'import torch; print(torch.__version__)'")
faiss = sh("python3 -c 'import faiss; print(faiss.__version__)'")
commit = sh(f"git -C {root} rev-parse --short HEAD")
date = datetime.date.today().isoformat()
rows, data = [], {"accuracy": {}, "speed": {}}
labels = {"mlp-corrected": "MLP towers, corrected", "mlp-uncorrected": "MLP towers, uncorrected",
          "id-corrected": "ID query tower (+ side fields), corrected"}
for name, label in labels.items():
    ours = load(f"{work}/sbcnm-{name}.json")["recall@50"]
    theirs = load(f"{work}/torch-{name}.jsonl")["recall@50"]
    data["accuracy"][name] = {"sbcnm": ours, "pytorch": theirs}
    rows.append(f"| Recall@50, {label} | {ours:.4f} | {theirs:.4f} | |")
for tower in ("mlp", "id"):
    ours = load(f"{work}/sbcnm-speed-{tower}.json")
    theirs = load(f"{work}/torch-speed-{tower}.jsonl")
    o = 1024 * 1000.0 / ours["median_ms_per_step"]
    t = 1024 * 1000.0 / theirs["median_step_ms"]
    data["speed"][tower] = {"sbcnm_examples_per_s": o, "pytorch_examples_per_s": t,
                            "sbcnm_peak_rss_mb": ours["peak_rss_mb"], "pytorch_peak_rss_mb": theirs["peak_rss_mb"]}
    rows.append(f"| Training examples/s, {tower.upper() if tower == 'id' else 'MLP'} query tower (median step) "
                f"| {o:,.0f} | {t:,.0f} | {o / t:.2f}x |")
    rows.append(f"| Peak memory, {tower.upper() if tower == 'id' else 'MLP'} query tower (MB) "
                f"| {ours['peak_rss_mb']:.0f} | {theirs['peak_rss_mb']:.0f} | |")
ours = {int(r["params"]["items"]): r["primaryMetric"]["score"] * 1024
        for r in json.load(open(f"{work}/jmh-retrieval.json"))}
for line in open(f"{work}/faiss.jsonl"):
    r = json.loads(line)
    o, t = ours[r["n"]], r["flat_qps_median"]
    data.setdefault("retrieval", {})[str(r["n"])] = {"sbcnm_queries_per_s": o, "faiss_queries_per_s": t}
    rows.append(f"| Exact top-100 queries/s, {r['n']:,} items x 64 (FAISS `IndexFlatIP`) "
                f"| {o:,.0f} | {t:,.0f} | {o / t:.2f}x |")
meta = {"commit": commit, "jdk": jdk, "cpu": f"{cpu} ({simd})", "date": date, "pytorch": torch, "faiss": faiss,
        "command": "bench/compare-peers.sh"}
data["meta"] = meta
res = os.path.join(root, "bench", "results")
with open(os.path.join(res, "peers.json"), "w") as f:
    json.dump(data, f, indent=2)
manifest_path = os.path.join(res, "manifest.json")
manifest = json.load(open(manifest_path)) if os.path.exists(manifest_path) else {}
manifest["peers.json"] = meta
with open(manifest_path, "w") as f:
    json.dump(manifest, f, indent=2, sort_keys=True)
    f.write("\n")
table = "\n".join([
    f"Measured by `bench/compare-peers.sh` on {date}: {cpu} ({simd}), 2 cores, {jdk}, PyTorch {torch}"
    f" and FAISS {faiss} (2 threads, OpenBLAS), sbcnm at commit {commit}.",
    "",
    "| measure | sbcnm | PyTorch / FAISS | ratio |",
    "|---|---:|---:|---:|",
    *rows])
readme = os.path.join(root, "README.md")
text = open(readme).read()
new = re.sub(r"(<!-- results:begin -->\n).*?(\n<!-- results:end -->)", lambda m: m.group(1) + table + m.group(2),
             text, flags=re.S)
if new == text and table not in text:
    sys.exit("README.md has no <!-- results:begin --> ... <!-- results:end --> block")
open(readme, "w").write(new)
print(table)
PY
