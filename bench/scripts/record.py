#!/usr/bin/env python3
"""Records a results file in bench/results/manifest.json: the commit, JDK, CPU and date of the run
and the command that made it. Machine facts are this machine's unless given.

    python3 bench/scripts/record.py jmh-engine.json "java ... benchmarks.jar 'GemmBenchmark|...'"
    python3 bench/scripts/record.py hnsw-1m-clustered.json "sbcnm-train bench-index ..." \\
        --commit a0d2de1 --jdk "17.0.15" --cpu "AMD EPYC (AVX2)" --date 2026-11-28
"""
import argparse
import datetime
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RESULTS = os.path.join(ROOT, "bench", "results")


def sh(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()


def machine():
    cpu = sh("lscpu | sed -n 's/^Model name: *//p'")
    flags = sh("grep -m1 -o -w -e avx512f -e avx2 /proc/cpuinfo | sort -u | tr '\\n' ' '")
    simd = "AVX-512" if "avx512f" in flags else ("AVX2" if "avx2" in flags else "no AVX2")
    return f"{cpu} ({simd})"


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
    commit = a.commit or sh(f"git -C {ROOT} rev-parse --short HEAD")
    path = os.path.join(RESULTS, "manifest.json")
    manifest = json.load(open(path)) if os.path.exists(path) else {}
    manifest[a.file] = {
        "commit": commit,
        "jdk": a.jdk or sh("java -version 2>&1 | head -1").replace('"', ""),
        "cpu": a.cpu or machine(),
        "date": a.date or datetime.date.today().isoformat(),
        "command": a.command,
    }
    with open(path, "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
