#!/usr/bin/env python3
"""Runs libFuzzer targets (tests/fuzz/README.md) and reports what they did.

    run_fuzz.py --work DIR (--seconds S | --runs N) [--json OUT] --target NAME=BINARY ...

For each target, one after the other: writes its seeds (`BINARY --write-seeds`: the
repository's regression seeds and the interop corpus, read where it lies) to
DIR/NAME/seeds, then fuzzes with DIR/NAME/corpus (kept between runs, so later runs start
where earlier ones stopped) and the seeds, for S seconds or N executions. Crash inputs land
in DIR/NAME/artifacts/. Exit 0 when no target crashed, 1 otherwise; `--json` writes the
summary (executions, exec/s, crashes, coverage per target) for the `fuzz` bench target.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

# Per input: over this many seconds is a hang (a crash for libFuzzer). Generous because the
# machine is shared with builds and the binaries carry ASan+UBSan.
TIMEOUT_PER_INPUT_S = 25
RSS_LIMIT_MB = 2560
# Longest input per target (libFuzzer's -max_len; others: its guess from the seeds). An RTP
# script of 4 KiB is ~25 packets: every decoder and the reorder/PLC paths run many times
# per input, at thousands of inputs per second instead of tens.
MAX_LEN = {"rtp_leg": 4096}


def parse_stats(output: str) -> dict:
    stats: dict = {}
    for key, value in re.findall(r"^stat::(\w+):\s+(\d+)", output, re.M):
        stats[key] = int(value)
    # The last progress line: "#123456\tREDUCE cov: 1234 ft: 5678 corp: 90/12Kb ..."
    progress = re.findall(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/", output, re.M)
    if progress:
        last = progress[-1]
        stats["cov"], stats["ft"], stats["corpus_units"] = int(last[1]), int(last[2]), int(last[3])
    return stats


def git_commit(source: Path) -> str:
    try:
        return subprocess.run(["git", "-C", str(source), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def run_target(name: str, binary: Path, work: Path, seconds: int | None, runs: int | None) -> dict:
    target_dir = work / name
    seeds, corpus, artifacts = target_dir / "seeds", target_dir / "corpus", target_dir / "artifacts"
    shutil.rmtree(seeds, ignore_errors=True)
    corpus.mkdir(parents=True, exist_ok=True)
    artifacts.mkdir(parents=True, exist_ok=True)
    made = subprocess.run([str(binary), "--write-seeds", str(seeds)], capture_output=True, text=True)
    seed_count = len(list(seeds.iterdir())) if seeds.is_dir() else 0
    if made.returncode != 0 or seed_count == 0:
        print(f"fuzz {name}: no seeds written\n{made.stdout}{made.stderr}")
        return {"target": name, "error": "no seeds", "crashes": 1}
    before = set(artifacts.iterdir())
    cmd = [str(binary),
           f"-max_total_time={seconds}" if seconds is not None else f"-runs={runs}",
           "-print_final_stats=1", f"-timeout={TIMEOUT_PER_INPUT_S}", f"-rss_limit_mb={RSS_LIMIT_MB}",
           f"-artifact_prefix={artifacts}/"]
    if name in MAX_LEN:
        cmd.append(f"-max_len={MAX_LEN[name]}")
    cmd += [str(corpus), str(seeds)]
    limit = (seconds + 600) if seconds is not None else None
    print(f"fuzz {name}: {seed_count} seeds; {' '.join(cmd)}", flush=True)
    started = time.monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=limit)
        rc, output = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as e:
        rc = -1
        output = (e.stdout or b"").decode(errors="replace") + (e.stderr or b"").decode(errors="replace")
        output += f"\nrun_fuzz: {name} did not stop within {limit} s"
    elapsed = time.monotonic() - started
    stats = parse_stats(output)
    crash_files = sorted(str(p) for p in set(artifacts.iterdir()) - before)
    crashed = rc != 0
    result = {
        "target": name,
        "seconds": round(elapsed, 1),
        "executions": stats.get("number_of_executed_units", 0),
        "exec_per_s": stats.get("average_exec_per_sec", 0),
        "crashes": 1 if crashed else 0,
        "crash_inputs": crash_files,
        "coverage": {"cov": stats.get("cov", 0), "ft": stats.get("ft", 0)},
        "corpus_units": stats.get("corpus_units", 0),
        "new_units_added": stats.get("new_units_added", 0),
        "peak_rss_mb": stats.get("peak_rss_mb", 0),
        "seeds": seed_count,
        "exit_code": rc,
    }
    print(f"fuzz {name}: {result['executions']} executions in {result['seconds']} s "
          f"({result['exec_per_s']}/s), cov {result['coverage']['cov']} ft {result['coverage']['ft']}, "
          f"corpus {result['corpus_units']}, {'CRASH' if crashed else 'no crash'}", flush=True)
    if crashed:
        # The sanitizer or libFuzzer report, and how to reproduce it.
        report = output[output.find("==ERROR") if "==ERROR" in output else max(0, len(output) - 6000):]
        print(report[:12000])
        for f in crash_files:
            print(f"reproduce: {binary} {f}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", action="append", required=True, help="NAME=BINARY")
    parser.add_argument("--work", type=Path, required=True)
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--seconds", type=int)
    how.add_argument("--runs", type=int)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    results = []
    for spec in args.target:
        name, _, binary = spec.partition("=")
        results.append(run_target(name, Path(binary), args.work, args.seconds, args.runs))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        summary = {
            "benchmark": "fuzz",
            "what": "libFuzzer targets of tests/fuzz (ASan+UBSan, clang build)",
            "commit": git_commit(Path(__file__).resolve().parents[2]),
            "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "cpus": os.cpu_count(),
            "load_average_at_end": os.getloadavg()[0],
            "mode": {"seconds": args.seconds} if args.seconds is not None else {"runs": args.runs},
            "targets": results,
        }
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
        print(f"summary written to {args.json}")
    crashed = [r["target"] for r in results if r.get("crashes")]
    if crashed:
        print(f"crashed: {', '.join(crashed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
