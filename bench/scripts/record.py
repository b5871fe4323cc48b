#!/usr/bin/env python3
"""Records a results file in bench/results/manifest.json: the commit, JDK, CPU and date of the run
and the command that made it. Machine facts are this machine's unless given.

    python3 bench/scripts/record.py jmh-engine.json "java ... benchmarks.jar 'GemmBenchmark|...'"
    python3 bench/scripts/record.py hnsw-1m-clustered.json "sbcnm-train bench-index ..." \\
        --commit a0d2de1 --jdk "17.0.15" --cpu "AMD EPYC (AVX2)" --date 2026-11-28
"""
import argparse
import os

import benchlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RESULTS = os.path.join(ROOT, "bench", "results")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file", help="a file in bench/results")
    ap.add_argument("command")
    ap.add_argument("--commit")
    ap.add_argument("--jdk")
    ap.add_argument("--cpu")
    ap.add_argument("--date")
    a = ap.parse_args()
    if not os.path.exists(os.path.join(RESULTS, a.file)):
        raise SystemExit(f"no bench/results/{a.file}")
    entry = benchlib.meta(ROOT, a.command)
    for key in ("commit", "jdk", "cpu", "date"):
        if getattr(a, key):
            entry[key] = getattr(a, key)
    benchlib.record(ROOT, {a.file: entry})


if __name__ == "__main__":
    main()
