#!/usr/bin/env python3
"""Reads what bench/compare-baselines.sh left in WORK, writes bench/results/baselines.json (and its
manifest entry) and rewrites the README's baselines table. Usage: baselines_table.py ROOT WORK DATASET..."""
import datetime
import json
import os
import re
import subprocess
import sys

root, work, datasets = sys.argv[1], sys.argv[2], sys.argv[3:]


def sh(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()


def seconds(path):
    with open(path) as f:
        return float(f.read().strip())


cpu = sh("lscpu | sed -n 's/^Model name: *//p'")
flags = sh("grep -m1 -o -w -e avx512f -e avx2 /proc/cpuinfo | sort -u | tr '\\n' ' '")
simd = "AVX-512" if "avx512f" in flags else ("AVX2" if "avx2" in flags else "no AVX2")
jdk = sh("java -version 2>&1 | head -1").replace('"', "")
commit = os.environ.get("SBCNM_COMMIT") or sh(f"git -C {root} rev-parse --short HEAD")
budget = os.environ.get("BUDGET", "10")
date = datetime.date.today().isoformat()
names = {"popularity": "most popular", "itemknn": "item-kNN (cosine)", "ials": "iALS (64 factors)",
         "ease": "EASE"}
result = {"meta": {"commit": commit, "jdk": jdk, "cpu": f"{cpu} ({simd})", "date": date,
                   "command": "bench/compare-baselines.sh", "tune_budget_minutes": budget},
          "datasets": {}}
rows = []
for d in datasets:
    ev = json.load(open(f"{work}/{d}-eval.json"))
    tuned = json.load(open(f"{work}/{d}-tuned.json"))
    notes = {}
    for line in open(f"{work}/{d}-eval.err"):
        m = re.match(r"(\w+): (.*) chosen by validation .* \(([\d.]+) s\)", line.strip())
        if m:
            notes[m.group(1)] = (m.group(2), float(m.group(3)))
    best = open(f"{work}/{d}-tune/best.txt").read().strip()
    entries = []
    for key, label in names.items():
        setting, secs = notes.get(key, ("", None))
        entries.append((label + (f", {setting}" if setting else ""), ev["baselines"][key], secs))
    entries.append(("sbcnm `train` (defaults)", ev, seconds(f"{work}/{d}-default.time")))
    entries.append((f"sbcnm after `tune` ({budget} min): `{best}`", tuned, seconds(f"{work}/{d}-tune.time")))
    result["datasets"][d] = [{"model": label, **{k: m[k] for k in ("recall@10", "ndcg@10", "recall@50", "ndcg@50")},
                              "seconds": secs} for label, m, secs in entries]
    for label, m, secs in entries:
        time = f"{secs:.0f} s" if secs is not None else "<1 s"
        rows.append(f"| {d} | {label} | {m['recall@10']:.4f} | {m['ndcg@10']:.4f} | {m['recall@50']:.4f} "
                    f"| {m['ndcg@50']:.4f} | {time} |")
res = os.path.join(root, "bench", "results")
with open(os.path.join(res, "baselines.json"), "w") as f:
    json.dump(result, f, indent=2)
manifest_path = os.path.join(res, "manifest.json")
manifest = json.load(open(manifest_path)) if os.path.exists(manifest_path) else {}
manifest["baselines.json"] = {k: result["meta"][k] for k in ("commit", "jdk", "cpu", "date", "command")}
with open(manifest_path, "w") as f:
    json.dump(manifest, f, indent=2, sort_keys=True)
    f.write("\n")
table = "\n".join([
    f"Measured by `bench/compare-baselines.sh` on {date}: {cpu} ({simd}), 2 cores, {jdk}, sbcnm at commit"
    f" {commit}; seed 0 throughout. Time: fitting and tuning (baselines), training (sbcnm), the whole"
    " search (tune).",
    "",
    "| data | model | recall@10 | NDCG@10 | recall@50 | NDCG@50 | time |",
    "|---|---|---:|---:|---:|---:|---:|",
    *rows])
readme = os.path.join(root, "README.md")
text = open(readme).read()
new, count = re.subn(r"(<!-- baselines:begin -->\n)(?:.*?\n)?(<!-- baselines:end -->)",
                     lambda m: m.group(1) + table + "\n" + m.group(2), text, flags=re.S)
if count != 1:
    sys.exit("README.md needs one <!-- baselines:begin --> ... <!-- baselines:end --> block")
open(readme, "w").write(new)
print(table)
