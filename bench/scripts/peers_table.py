#!/usr/bin/env python3
"""Reads the measurements bench/compare-peers.sh left in WORK, writes bench/results/peers.json and its
manifest entry, and rewrites the README's results table. Usage: peers_table.py ROOT WORK"""
import datetime, json, os, platform, re, shutil, subprocess, sys
root, work = sys.argv[1], sys.argv[2]
def load(path):
    """A JSON file, or the last line of a JSON-lines file."""
    with open(path) as f:
        text = f.read().strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return json.loads(text.splitlines()[-1])
def sh(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
cpu = sh("lscpu | sed -n 's/^Model name: *//p'") or platform.processor()
flags = sh("grep -m1 -o -w -e avx512f -e avx2 /proc/cpuinfo | sort -u | tr '\\n' ' '")
simd = "AVX-512" if "avx512f" in flags else ("AVX2" if "avx2" in flags else "no AVX2")
jdk = sh("java -version 2>&1 | head -1").replace('"', "")
py = os.environ["PY"]
torch = sh(f"{py} -c 'import torch; print(torch.__version__)'")
faiss = sh(f"{py} -c 'import faiss; print(faiss.__version__)'")
commit = os.environ.get("SBCNM_COMMIT") or sh(f"git -C {root} rev-parse --short HEAD")
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
# The runs behind the table are the latest of their own benchmarks too.
copies = {
    "sbcnm-speed-mlp.json": ("bench-train-mlp.json",
                             "sbcnm-train bench-train --data synth-bench --steps 300 --warmup 150"),
    "sbcnm-speed-id.json": ("bench-train-id.json",
                            "sbcnm-train bench-train --data synth-bench --query_tower id --steps 300 --warmup 150"),
    "jmh-retrieval.json": ("jmh-retrieval.json",
                           "benchmarks.jar RetrievalBenchmark -p threads=2 -f 1 -wi 2 -w 2s -i 4 -r 2s"),
}
for source, (target, command) in copies.items():
    shutil.copyfile(os.path.join(work, source), os.path.join(res, target))
    manifest[target] = {k: meta[k] for k in ("commit", "jdk", "cpu", "date")} | {"command": command}
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
new, count = re.subn(r"(<!-- results:begin -->\n)(?:.*?\n)?(<!-- results:end -->)",
                     lambda m: m.group(1) + table + "\n" + m.group(2), text, flags=re.S)
if count != 1:
    sys.exit("README.md needs one <!-- results:begin --> ... <!-- results:end --> block")
open(readme, "w").write(new)
print(table)
