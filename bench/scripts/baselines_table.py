#!/usr/bin/env python3
"""Reads what bench/compare-baselines.sh left in WORK, writes bench/results/baselines.json (and its
manifest entry) and rewrites the README's baselines table. Usage: baselines_table.py ROOT WORK DATASET..."""
import json
import os
import re
import sys

import benchlib

root, work, datasets = sys.argv[1], sys.argv[2], sys.argv[3:]


def seconds(path):
    with open(path) as f:
        return float(f.read().strip())


budget = os.environ.get("BUDGET", "10")
seeds = os.environ.get("SEEDS", "0 1 2").split()


meta = benchlib.meta(root, "bench/compare-baselines.sh")
# The commit each dataset's rows were measured at (ONLY= reruns some and keeps the others).
commits = {d: (open(f"{work}/{d}.commit").read().strip() if os.path.exists(f"{work}/{d}.commit")
               else meta["commit"]) for d in datasets}
meta["commit"] = ", ".join(sorted(set(commits.values())))
names = {"popularity": "most popular", "itemknn": "item-kNN (cosine)", "ials": "iALS", "ease": "EASE"}
result = {"meta": dict(meta, tune_budget_minutes=budget, tune_seeds=seeds), "datasets": {}}
rows = []
for d in datasets:
    ev = json.load(open(f"{work}/{d}-eval.json"))
    tuned = [json.load(open(f"{work}/{d}-tuned-{s}.json")) for s in seeds]
    notes = {}
    for line in open(f"{work}/{d}-eval.err"):
        m = re.match(r"(\w+): (.*) chosen by validation .* \(([\d.]+) s\)", line.strip())
        if m:
            notes[m.group(1)] = (m.group(2), float(m.group(3)))
    best = {s: open(f"{work}/{d}-tune-{s}/best.txt").read().strip() for s in seeds}
    entries = []
    for key, label in names.items():
        setting, secs = notes.get(key, ("", None))
        setting = setting.replace("lambda=", "λ=").replace("alpha=", "α=").replace(".0 ", " ")
        setting = re.sub(r"\.0$", "", setting).replace("factors=64 ", "64 factors, ").replace(" α", ", α")
        text = label + (f" ({setting})" if setting else "")
        entries.append((text.replace(") (", ", "), ev["baselines"][key], secs))
    entries.append(("sbcnm `train` (defaults)", ev, seconds(f"{work}/{d}-default.time")))
    keys = ("recall@10", "ndcg@10", "recall@50", "ndcg@50")
    tuned_mean = {k: benchlib.spread([t[k] for t in tuned]) for k in keys}
    tune_seconds = benchlib.spread([seconds(f"{work}/{d}-tune-{s}.time") for s in seeds])[0]
    result["datasets"][d] = [{"model": label, **{k: m[k] for k in keys}, "seconds": secs}
                             for label, m, secs in entries]
    result["datasets"][d].append({"model": "sbcnm after tune", "seeds": seeds, "chosen": best,
                                  "seconds_per_seed": tune_seconds,
                                  "per_seed": [{k: t[k] for k in keys} for t in tuned],
                                  **{k + "_mean": tuned_mean[k][0] for k in keys},
                                  **{k + "_sd": tuned_mean[k][1] for k in keys}})
    for label, m, secs in entries:
        time = f"{secs:.0f} s" if secs is not None else "<1 s"
        rows.append(f"| {d} | {label} | {m['recall@10']:.4f} | {m['ndcg@10']:.4f} | {m['recall@50']:.4f} "
                    f"| {m['ndcg@50']:.4f} | {time} |")
    cells = " | ".join(f"{tuned_mean[k][0]:.4f} ± {tuned_mean[k][1]:.4f}" for k in keys)
    rows.append(f"| {d} | sbcnm after `tune` ({budget} min), seeds {', '.join(seeds)} | {cells} "
                f"| {tune_seconds:.0f} s each |")
res = os.path.join(root, "bench", "results")
with open(os.path.join(res, "baselines.json"), "w") as f:
    json.dump(result, f, indent=2)
benchlib.record(root, {"baselines.json": meta})
commit_text = (meta["commit"] if len(set(commits.values())) == 1
               else ", ".join(f"{c} ({d})" for d, c in commits.items()))
result["meta"]["commits"] = commits
table = "\n".join([
    f"Measured by `bench/compare-baselines.sh` on {meta['date']}: {meta['cpu']}, 2 cores, {meta['jdk']},"
    f" sbcnm at commit {commit_text}. Baselines and `train`: seed 0; `tune`: mean ± standard deviation"
    " over its seeds. Time: fitting and tuning (baselines), training (sbcnm), the whole search (tune).",
    "",
    "| data | model | recall@10 | NDCG@10 | recall@50 | NDCG@50 | time |",
    "|---|---|---:|---:|---:|---:|---:|",
    *rows])
benchlib.replace_block(root, "baselines", table)
print(table)
