#!/usr/bin/env python3
"""Reads what bench/spark-batch.sh left in WORK, writes bench/results/spark.json (and its manifest
entry) and rewrites the spark block of README.md: times against one JVM, how a Spark run's time
splits, and the paper estimate for 50 M users x 5 M items from the measured per-core rates.
Usage: spark_table.py ROOT WORK"""
import json
import os
import sys

import benchlib

root, work = sys.argv[1], sys.argv[2]
meta = benchlib.meta(root, "bench/spark-batch.sh")
times = {}
for line in open(f"{work}/times.jsonl"):
    if line.strip():
        r = json.loads(line)
        times[r["name"]] = r["seconds"]
def count(path):
    """Ids in an id map (its lines but the header)."""
    return sum(1 for _ in open(path)) - 1


DATA = {name: (label, count(f"{work}/{name}/q_idmap.csv"), count(f"{work}/{name}/i_idmap.csv"))
        for name, label in (("bench50k", "50,000-item preset"), ("items1m", "1,000,000 items"))}
runs = {}
for name in DATA:
    ev = json.load(open(f"{work}/{name}-eval.json"))
    runs[name] = {"eval": ev, "times": {k.split("/", 1)[1]: v for k, v in times.items()
                                        if k.startswith(name + "/")}}
    for mode in ("spark", "spark-profile", "spark-blocks"):
        runs[name][mode] = json.load(open(f"{work}/{name}-{mode}.json"))
    # The metrics both print (4 decimals) must agree.
    for m in ("recall@10", "ndcg@10", "recall@50", "ndcg@50", "recall@100", "ndcg@100"):
        for mode in ("spark", "spark-profile", "spark-blocks"):
            a, b = f"{ev[m]:.4f}", f"{runs[name][mode][m]:.4f}"
            if a != b:
                raise SystemExit(f"{name} {mode}: {m} is {b}, eval printed {a}")
with open(os.path.join(root, "bench", "results", "spark.json"), "w") as f:
    json.dump({"meta": meta, "runs": runs}, f, indent=2)
benchlib.record(root, {"spark.json": meta})

rows = []
for name, (label, users, items) in DATA.items():
    t = runs[name]["times"]
    rec = runs[name]["spark"]
    rows.append(
        f"| {label} | {users:,} x {items:,} | {t['eval']:.1f} | {t['export']:.1f} "
        f"| {t['spark']:.1f} | {t['spark'] / t['eval']:.2f} | {t['spark-blocks']:.1f} "
        f"| {rec['recall@50']:.4f} / {rec['ndcg@50']:.4f} |")
split = []
rates = {}
for name, (label, users, items) in DATA.items():
    for mode, how in (("spark-profile", "broadcast"), ("spark-blocks", "4 item blocks")):
        s = runs[name][mode]["seconds"]
        split.append(
            f"| {label}, {how} | {s['total']:.1f} | {s['load_and_embed_items']:.1f} "
            f"| {s['task_embed'] + s['task_embed_items']:.1f} | {s['task_score']:.1f} "
            f"| {s['task_topk']:.1f} "
            f"| {s['task_merge']:.2f} | {s['task_shuffle']:.2f} ({s['shuffle_megabytes']:.0f} MB) "
            f"| {s['task_parquet_write']:.1f} | {s['task_split_join_other']:.1f} "
            f"| {s['task_total']:.1f} |")
        if mode == "spark-profile":
            rates[name] = {"score": users * items / s["task_score"],
                           "topk": users * items / s["task_topk"],
                           "embed": users / max(s["task_embed"], 1e-9),
                           "items": items,
                           "other_per_user": (s["task_parquet_write"] + s["task_split_join_other"]) / users}
# Paper estimate: 50 M users x 5 M items from the 1 M-item run's per-core rates.
r = rates["items1m"]
U, I = 50_000_000, 5_000_000
pairs = U * I
core_seconds = pairs / r["score"] + pairs / r["topk"] + U / r["embed"] + U * r["other_per_user"]
core_hours = core_seconds / 3600
est = []
for executors, cores in ((25, 8), (100, 8), (400, 8)):
    hours = core_hours / (executors * cores)
    est.append(f"| {executors} x {cores} cores | {hours:.2f} ({hours * 60:.0f} min) |")
meta_line = (f"Measured by `bench/spark-batch.sh` on {meta['date']}: {meta['cpu']}, 2 cores, "
             f"{meta['jdk']}, Spark 4.1.1 `local[2]` through spark-submit's entry point, sbcnm at "
             f"commit {meta['commit']}; k = 100, seconds of wall time per whole command (JVM "
             f"start and data loading included).")
table = "\n".join([
    meta_line,
    "",
    "| data | users x items | `eval`, 1 JVM | `export`, 1 JVM | Spark `recommend` | Spark / eval "
    "| Spark, 4 item blocks | recall@50 / ndcg@50 (equal to `eval`'s) |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
    *rows,
    "",
    "How a Spark run's time splits (seconds; `--profile` runs, which add one GEMM pass to time "
    "scoring apart from top K; task columns sum over both cores):",
    "",
    "| run | wall | driver: load (broadcast: embed items) | executors: embed | scoring | top K "
    "| merge | shuffle "
    "| Parquet writing | split, join, other | task total |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    *split,
    "",
    f"Per core, from the 1,000,000-item run: scoring {r['score'] / 1e9:.2f} G (user, item) pairs/s, "
    f"top K {r['topk'] / 1e9:.2f} G pairs/s, user embedding {r['embed'] / 1e3:,.0f} k users/s. "
    f"For 50 M users x 5 M items that is {core_hours:,.0f} core-hours:",
    "",
    "| executors | hours |",
    "|---|---:|",
    *est])
benchlib.replace_block(root, "spark", table)
print(table)
