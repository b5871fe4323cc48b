#!/usr/bin/env python3
"""Reads what bench/ablation.sh left in WORK, writes bench/results/ablation.json (and its manifest
entry) and rewrites the ablation table of bench/README.md. Usage: ablation_table.py ROOT WORK NAME COUNT"""
import json
import os
import sys

import benchlib

root, work, name, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
seeds = os.environ.get("SEEDS", "0 1 2").split()


meta = benchlib.meta(root, f"bench/ablation.sh {name}")
result = {"meta": dict(meta, data=name, seeds=seeds), "variants": []}
rows = []
for i in range(count):
    label, flags = open(f"{work}/{i}.name").read().rstrip("\n").split("\t")
    runs = []
    for s in seeds:
        epochs = [json.loads(line) for line in open(f"{work}/{i}-{s}.jsonl") if line.strip()]
        epochs = [e for e in epochs if "validation_recall@50" in e]
        best = max(epochs, key=lambda e: e["validation_recall@50"])
        final = json.load(open(f"{work}/{i}-{s}.json"))
        runs.append({"validation_recall@50": best["validation_recall@50"],
                     "validation_ndcg@50": best["validation_ndcg@50"], "best_epoch": best["epoch"],
                     "test_recall@50": final["recall@50"],
                     "examples_per_second": final["train_examples_per_second"],
                     "seconds": final["train_seconds"]})
    stats = {k: benchlib.spread([r[k] for r in runs]) for k in runs[0]}
    result["variants"].append({"variant": label, "flags": flags, "runs": runs})
    cell = lambda k: f"{stats[k][0]:.4f} ± {stats[k][1]:.4f}"
    rows.append(f"| {label} | `{flags}` | {cell('validation_recall@50')} | {cell('validation_ndcg@50')} "
                f"| {stats['best_epoch'][0]:.0f} | {stats['test_recall@50'][0]:.4f} "
                f"| {stats['examples_per_second'][0]:,.0f} |".replace("``", ""))
res = os.path.join(root, "bench", "results")
with open(os.path.join(res, "ablation.json"), "w") as f:
    json.dump(result, f, indent=2)
benchlib.record(root, {"ablation.json": meta})
table = "\n".join([
    f"Measured by `bench/ablation.sh` on {name}, {meta['date']}: {meta['cpu']}, 2 cores, {meta['jdk']},"
    f" sbcnm at commit {meta['commit']}; mean ± standard deviation over seeds {', '.join(seeds)}.",
    "",
    "| variant | flags | validation recall@50 | validation NDCG@50 | best epoch | test recall@50 | examples/s |",
    "|---|---|---:|---:|---:|---:|---:|",
    *rows])
benchlib.replace_block(root, "ablation", table, "bench/README.md")
print(table)
