#!/usr/bin/env python3
"""Metrics scrape cost: what one Prometheus scrape of `kronika serve` costs the server with
N media workers, whose per-worker counters are summed at scrape time (MediaEngine::Stats).

For each N of --workers: a fresh server with `[media] workers = N`, pinned to CPU 0, idles
for --seconds (its idle CPU rate: N workers' timers, the housekeeping ticks), then is
scraped back to back over HTTP (GET /metrics, one connection per scrape, as Prometheus
does) from CPU 1 for --seconds. Reported per N: server CPU per scrape = (CPU over the
scraping window - idle rate x window) / scrapes, scrape wall time p50/p99 as the scraper
sees it, the page size and its number of samples. CPU from /proc/<pid>/stat (10 ms
ticks; the window is long enough to hold thousands of scrapes, so the tick rounding is
far below a microsecond per scrape). Writes JSON.

  KRONIKA_BIN=build/srs/kronika python3 bench/metrics_scrape_bench.py \\
      --workers 1,2,4,8,16,32,64 --seconds 5 --out build/bench/metrics_scrape_bench.json
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "integration"))
import harness as h  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def measure(binary: Path, workers: int, seconds: float, server_cpu: str | None) -> dict:
    work = h.make_tempdir(f"kronika-scrape-{workers}-")
    server = h.Kronika(work=work, rtp_ports=20, taskset_cpu=server_cpu, binary=binary,
                       config=f"[media]\nworkers = {workers}\n[log]\nlevel = \"warn\"\n")
    server.start()
    try:
        url = f"http://127.0.0.1:{server.http_port}/metrics"
        page = urllib.request.urlopen(url, timeout=5).read()
        time.sleep(1.0)  # start-up work done
        pid = server.proc.pid
        c0, t0 = process_cpu_seconds(pid), time.monotonic()
        time.sleep(seconds)
        idle_rate = (process_cpu_seconds(pid) - c0) / (time.monotonic() - t0)
        latencies = []
        c1, t1 = process_cpu_seconds(pid), time.monotonic()
        while time.monotonic() - t1 < seconds:
            s = time.perf_counter()
            page = urllib.request.urlopen(url, timeout=5).read()
            latencies.append((time.perf_counter() - s) * 1000)
        window = time.monotonic() - t1
        busy = process_cpu_seconds(pid) - c1 - idle_rate * window
        alive = server.alive()
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    lines = page.decode(errors="replace").splitlines()
    return {
        "workers": workers,
        "scrapes": len(latencies),
        "server_cpu_per_scrape_us": round(1e6 * busy / len(latencies), 1) if latencies else None,
        "server_idle_cpu_share": round(idle_rate, 4),
        "scrape_wall_ms": {"p50": round(percentile(latencies, 50), 3), "p99": round(percentile(latencies, 99), 3),
                           "mean": round(statistics.fmean(latencies), 3)} if latencies else None,
        "page_bytes": len(page),
        "samples": sum(1 for line in lines if line and not line.startswith("#")),
        "server_alive_at_end": alive,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="Prometheus scrape cost of kronika serve with N media workers")
    parser.add_argument("--workers", default="1,2,4,8,16,32,64")
    parser.add_argument("--seconds", type=float, default=5.0, help="idle window and scraping window, each")
    parser.add_argument("--out", default=str(HERE.parent / "build" / "bench" / "metrics_scrape_bench.json"))
    args = parser.parse_args()
    binary = h.env_path("KRONIKA_BIN")
    if binary is None or not binary.exists():
        print("metrics_scrape_bench: set KRONIKA_BIN to the kronika binary", file=sys.stderr)
        return 2
    two_cores = (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None
    server_cpu = "0" if two_cores else None
    if two_cores:
        os.sched_setaffinity(0, {1})  # the scraper on the other core
    runs = []
    for n in (int(x) for x in args.workers.split(",")):
        runs.append(measure(binary.resolve(), n, args.seconds, server_cpu))
        print(json.dumps(runs[-1]), file=sys.stderr)
    result = {"benchmark": "metrics_scrape_bench", "what": __doc__.split("\n\n")[1].replace("\n", " "),
              "server_cpu": server_cpu, "seconds": args.seconds, "host_cpus": os.cpu_count(),
              "loadavg_at_end": os.getloadavg(), "runs": runs}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    return 0 if all(r["server_alive_at_end"] and r["scrapes"] for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
