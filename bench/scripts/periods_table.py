#!/usr/bin/env python3
"""Reads what bench/compare-periods.sh left in WORK, writes bench/results/periods.json (and its
manifest entry) and rewrites the periods block of README.md. Usage: periods_table.py ROOT WORK NAME..."""
import csv
import json
import os
import sys

import benchlib

root, work, names = sys.argv[1], sys.argv[2], sys.argv[3:]
epochs = os.environ.get("EPOCHS", "3")
meta = benchlib.meta(root, "bench/compare-periods.sh")
result = {"meta": dict(meta, epochs=epochs), "runs": {}}
rows = []
walls = []
for name in names:
    scores = list(csv.DictReader(open(f"{work}/{name}/periods.csv")))
    wall = float(open(f"{work}/{name}.seconds").read())
    walls.append(f"{name} {wall:.0f} s")
    result["runs"][name] = {"seconds": wall, "scores": scores}
    for variant in dict.fromkeys(s["variant"] for s in scores):
        mine = [s for s in scores if s["variant"] == variant]
        mean = lambda k: benchlib.spread([float(s[k]) for s in mine])[0]
        by_period = " ".join("%.3f" % float(s["recall@50"]) for s in mine)
        rows.append(f"| {name} | {variant} | {mean('recall@50'):.4f} | {mean('ndcg@50'):.4f} "
                    f"| {by_period} | {mean('train_seconds'):.2f} |")
res = os.path.join(root, "bench", "results")
with open(os.path.join(res, "periods.json"), "w") as f:
    json.dump(result, f, indent=2)
benchlib.record(root, {"periods.json": meta})
table = "\n".join([
    f"Measured by `bench/compare-periods.sh` on {meta['date']}: {meta['cpu']}, 2 cores, {meta['jdk']},"
    f" sbcnm at commit {meta['commit']}; 8 periods, {epochs} epochs a period, default towers, seed 0;"
    f" the whole command took {', '.join(walls)}.",
    "",
    "| data | variant | recall@50 | NDCG@50 | recall@50, periods 1 to 7 | train s / period |",
    "|---|---|---:|---:|---|---:|",
    *rows])
benchlib.replace_block(root, "periods", table)
print(table)
