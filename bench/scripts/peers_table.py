#!/usr/bin/env python3
"""Reads the measurements bench/compare-peers.sh left in WORK, writes bench/results/peers.json and its
manifest entry, and rewrites the README's results table. Usage: peers_table.py ROOT WORK"""
import json
import os
import shutil
import sys

import benchlib

root, work = sys.argv[1], sys.argv[2]


def load(path):
    """A JSON file, or the last line of a JSON-lines file."""
    with open(path) as f:
        text = f.read().strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return json.loads(text.splitlines()[-1])


py = os.environ["PY"]
torch = benchlib.sh(f"{py} -c 'import torch; print(torch.__version__)'")
faiss = benchlib.sh(f"{py} -c 'import faiss; print(faiss.__version__)'")
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
meta = benchlib.meta(root, "bench/compare-peers.sh")
meta.update(pytorch=torch, faiss=faiss)
data["meta"] = meta
res = os.path.join(root, "bench", "results")
with open(os.path.join(res, "peers.json"), "w") as f:
    json.dump(data, f, indent=2)
manifest = {"peers.json": meta}
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
benchlib.record(root, manifest)
table = "\n".join([
    f"Measured by `bench/compare-peers.sh` on {meta['date']}: {meta['cpu']}, 2 cores, {meta['jdk']}, PyTorch {torch}"
    f" and FAISS {faiss} (2 threads, OpenBLAS), sbcnm at commit {meta['commit']}.",
    "",
    "| measure | sbcnm | PyTorch / FAISS | ratio |",
    "|---|---:|---:|---:|",
    *rows])
benchlib.replace_block(root, "results", table)
print(table)
