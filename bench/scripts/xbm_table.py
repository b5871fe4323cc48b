#!/usr/bin/env python3
"""Reads what bench/compare-xbm.sh left in WORK, writes bench/results/xbm.json (and its manifest
entry) and rewrites the cross-batch table of bench/README.md. Usage: xbm_table.py ROOT WORK NAME..."""
import json
import os
import sys

import benchlib

root, work, names = sys.argv[1], sys.argv[2], sys.argv[3:]
seeds = os.environ.get("SEEDS", "0 1 2").split()
sizes = os.environ.get("SIZES", "0 1024 4096").split()


meta = benchlib.meta(root, "bench/compare-xbm.sh " + " ".join(names))
result = {"meta": dict(meta, seeds=seeds), "runs": {}}
rows = []
for name in names:
    for size in sizes:
        runs = [json.load(open(f"{work}/{name}-{size}-{s}.json")) for s in seeds]
        result["runs"][f"{name}/{size}"] = runs
        cell = lambda k: "%.4f ± %.4f" % benchlib.spread([r[k] for r in runs])
        speed = benchlib.spread([r["train_examples_per_second"] for r in runs])[0]
        label = "in-batch only" if size == "0" else f"`--xbm_size {size}`"
        rows.append(f"| {name} | {label} | {cell('recall@10')} | {cell('recall@50')} "
                    f"| {cell('ndcg@50')} | {speed:,.0f} |")
res = os.path.join(root, "bench", "results")
with open(os.path.join(res, "xbm.json"), "w") as f:
    json.dump(result, f, indent=2)
benchlib.record(root, {"xbm.json": meta})
table = "\n".join([
    f"Measured by `bench/compare-xbm.sh` on {meta['date']}: {meta['cpu']}, 2 cores, {meta['jdk']},"
    f" sbcnm at commit {meta['commit']}; `train` defaults (10 epochs), mean ± standard deviation over"
    f" seeds {', '.join(seeds)}.",
    "",
    "| data | negatives | test recall@10 | test recall@50 | test NDCG@50 | examples/s |",
    "|---|---|---:|---:|---:|---:|",
    *rows])
benchlib.replace_block(root, "xbm", table, "bench/README.md")
print(table)
