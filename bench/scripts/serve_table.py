#!/usr/bin/env python3
"""Reads what bench/serve-load.sh left in WORK, writes bench/results/serve.json (and its manifest
entry) and rewrites the serve block of README.md. Usage: serve_table.py ROOT WORK"""
import json
import os
import sys

import benchlib

root, work = sys.argv[1], sys.argv[2]
meta = benchlib.meta(root, "bench/serve-load.sh")
runs = {name: [json.loads(l) for l in open(f"{work}/{name}.jsonl") if l.strip()]
        for name in ("exact", "batched", "hnsw", "reload")}
with open(os.path.join(root, "bench", "results", "serve.json"), "w") as f:
    json.dump({"meta": meta, "runs": runs}, f, indent=2)
benchlib.record(root, {"serve.json": meta})
rows = []
for name, label in (("exact", "exact"), ("batched", "exact, batched (`--search_threads 1`)"),
                    ("hnsw", "HNSW"), ("reload", "exact, reload every 2 s")):
    for r in runs[name]:
        extra = f" ({r['reloads']} reloads)" if r["reloads"] else ""
        rows.append(f"| {label}{extra} | {r['clients']} | {r['requests_per_second']:,.0f} "
                    f"| {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['p999_ms']:.2f} "
                    f"| {r['requests']:,} | {r['failures']} |")
table = "\n".join([
    f"Measured by `bench/serve-load.sh` on {meta['date']}: {meta['cpu']}, 2 cores shared by the"
    f" server and the clients, {meta['jdk']}, sbcnm at commit {meta['commit']}; the 50,000-item"
    f" preset (100,000 users), `GET /recommend` at k = 100, "
    f"{os.environ.get('SECONDS_PER_LEVEL', '10')} s a level.",
    "",
    "| search | clients | requests/s | p50 ms | p99 ms | p99.9 ms | requests | failed |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    *rows])
benchlib.replace_block(root, "serve", table)
print(table)
