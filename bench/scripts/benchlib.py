"""What the result scripts share: this machine's facts, the manifest, and README blocks."""
import datetime
import json
import os
import re
import subprocess


def sh(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()


def cpu():
    """The CPU model and its widest vector extension, e.g. 'Intel(R) Xeon(R) Processor (AVX-512)'."""
    model = sh("lscpu | sed -n 's/^Model name: *//p'")
    flags = sh("grep -m1 -o -w -e avx512f -e avx2 /proc/cpuinfo | sort -u | tr '\\n' ' '")
    simd = "AVX-512" if "avx512f" in flags else ("AVX2" if "avx2" in flags else "no AVX2")
    return f"{model} ({simd})"


def jdk():
    return sh("java -version 2>&1 | head -1").replace('"', "")


def commit(root):
    """The commit measured: SBCNM_COMMIT when the runner recorded it, else HEAD."""
    return os.environ.get("SBCNM_COMMIT") or sh(f"git -C {root} rev-parse --short HEAD")


def meta(root, command):
    return {"commit": commit(root), "jdk": jdk(), "cpu": cpu(),
            "date": datetime.date.today().isoformat(), "command": command}


def record(root, entries):
    """Adds {file: meta} entries to bench/results/manifest.json."""
    path = os.path.join(root, "bench", "results", "manifest.json")
    manifest = json.load(open(path)) if os.path.exists(path) else {}
    manifest.update(entries)
    with open(path, "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write("\n")


def replace_block(root, tag, table, readme="README.md"):
    """Replaces what stands between <!-- TAG:begin --> and <!-- TAG:end --> in ROOT/README."""
    readme = os.path.join(root, readme)
    text = open(readme).read()
    new, count = re.subn(rf"(<!-- {tag}:begin -->\n)(?:.*?\n)?(<!-- {tag}:end -->)",
                         lambda m: m.group(1) + table + "\n" + m.group(2), text, flags=re.S)
    if count != 1:
        raise SystemExit(f"{readme} needs one <!-- {tag}:begin --> ... <!-- {tag}:end --> block")
    open(readme, "w").write(new)


def spread(values):
    """Mean and sample standard deviation (0 for one value)."""
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, 0.0
    return mean, (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5
