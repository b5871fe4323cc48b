#!/usr/bin/env python3
"""Turns a JMH JSON result file into the Markdown tables of bench/README.md (GFLOP/s = ops/s x 2MNK)."""
import json
import sys


def flops(shape):
    m, k, n = map(int, shape.rstrip("t").split("x"))
    return 2.0 * m * n * k


def main(path):
    rows = []
    for r in json.load(open(path)):
        name = r["benchmark"].split(".")[-2]
        p = r.get("params", {})
        pm = r["primaryMetric"]
        alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score", float("nan"))
        rows.append((name, p, pm["score"], pm["scoreError"], alloc))
    print("| impl | shape (M×K×N) | threads | ops/s | GFLOP/s | alloc B/op |")
    print("|---|---|---:|---:|---:|---:|")
    for name, p, s, e, a in rows:
        if name == "GemmBenchmark":
            print(f"| {p['impl']} | {p['shape']} | {p['threads']} | {s:.1f} ± {e:.1f} | {s * flops(p['shape']) / 1e9:.1f} | {a:.0f} |")
    print()
    print("| benchmark | impl | threads | ops/s | alloc B/op |")
    print("|---|---|---:|---:|---:|")
    for name, p, s, e, a in rows:
        if name != "GemmBenchmark":
            print(f"| {name} | {p.get('impl')} | {p.get('threads')} | {s:.2f} ± {e:.2f} | {a:.0f} |")


if __name__ == "__main__":
    main(sys.argv[1])
