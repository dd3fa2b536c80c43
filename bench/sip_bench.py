#!/usr/bin/env python3
"""SIP signalling benchmark: SIPREC INVITE -> 200 OK -> ACK -> BYE -> 200 OK cycles per
second that one core of `kronika serve` sustains, and 200 OK latency at that load.

The server is pinned to CPU 0 (`taskset -c 0`), SIPp to CPU 1, both on loopback, no media.
  1. throughput: closed loop, SIPp keeps --concurrency calls in flight with no rate limit
     for about --seconds; cycles/s = successful calls / wall time (all calls must succeed);
  2. latency: open loop at 50 % and 80 % of that rate for --seconds, SIPp tracing every
     message (-trace_msg, microsecond timestamps); latency = time from the INVITE leaving
     SIPp to the 200 OK arriving (so it includes SIPp's own scheduling, an upper bound).
Writes JSON (default build/bench/sip_bench.json). Run by the `bench` target or by hand:
  KRONIKA_BIN=build/srs/kronika python3 bench/sip_bench.py --out /tmp/sip_bench.json
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent
sys.path.insert(0, str(SOURCE / "tests" / "integration" / "sip"))
import kronika_harness as h  # noqa: E402

SCENARIO = HERE / "sip_bench.xml"


def sipp_cmd(server: h.KronikaServer, ports: h.PortAllocator, cpu: str, extra: list[str]) -> list[str]:
    cmd = ["sipp", server.sip_addr, "-sf", str(SCENARIO), "-i", h.LOOPBACK,
           "-p", str(ports.take(1)), "-nostdin", "-t", "u1", "-max_recv_loops", "10000",
           "-timeout", "300s", "-timeout_error"] + extra
    return (["taskset", "-c", cpu] if cpu else []) + cmd


def run(cmd: list[str], cwd: Path) -> tuple[int, float, str]:
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          stdin=subprocess.DEVNULL)
    return proc.returncode, time.monotonic() - started, proc.stdout.decode(errors="replace")


def successful_calls(stdout: str) -> int:
    m = re.search(r"Successful call\s*\|\s*\d+\s*\|\s*(\d+)", stdout)
    return int(m.group(1)) if m else 0


def failed_calls(stdout: str) -> int:
    m = re.search(r"Failed call\s*\|\s*\d+\s*\|\s*(\d+)", stdout)
    return int(m.group(1)) if m else 0


def throughput(server, ports, workdir, cpu, concurrency, calls) -> dict:
    rc, wall, out = run(sipp_cmd(server, ports, cpu, [
        "-m", str(calls), "-l", str(concurrency), "-r", "100000", "-rp", "1000"]), workdir)
    ok = successful_calls(out)
    return {"calls": calls, "successful": ok, "failed": failed_calls(out), "sipp_rc": rc,
            "wall_s": round(wall, 3), "cycles_per_s": round(ok / wall, 1) if wall else 0}


TS = re.compile(r"^-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\n(UDP message (sent|received))",
                re.M)


def invite_latencies_ms(messages: str) -> list[float]:
    """INVITE sent -> 200 (CSeq INVITE) received, per Call-ID, from a SIPp -trace_msg log."""
    sent: dict[str, float] = {}
    lat: list[float] = []
    positions = [(m.start(), m) for m in TS.finditer(messages)] + [(len(messages), None)]
    for (start, m), (end, _) in zip(positions, positions[1:]):
        block = messages[start:end]
        when = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()
        cid = re.search(r"^Call-ID:\s*(\S+)", block, re.M | re.I)
        cseq = re.search(r"^CSeq:\s*\d+\s+(\S+)", block, re.M | re.I)
        if not cid or not cseq or cseq.group(1).upper() != "INVITE":
            continue
        if m.group(3) == "sent" and "\nINVITE " in block:
            sent.setdefault(cid.group(1), when)
        elif m.group(3) == "received" and re.search(r"\nSIP/2\.0 200 ", block):
            if cid.group(1) in sent:
                lat.append((when - sent.pop(cid.group(1))) * 1000)
    return lat


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def latency(server, ports, workdir, cpu, rate, seconds) -> dict:
    rundir = workdir / f"latency-{rate}"
    rundir.mkdir()
    calls = int(rate * seconds)
    rc, wall, out = run(sipp_cmd(server, ports, cpu, [
        "-m", str(calls), "-r", str(rate), "-rp", "1000", "-l", str(max(100, rate)),
        "-trace_msg"]), rundir)
    text = "".join(p.read_text(errors="replace") for p in rundir.glob("*_messages.log"))
    lat = invite_latencies_ms(text)
    for p in rundir.glob("*_messages.log"):
        p.unlink()
    result = {"rate_cps": rate, "calls": calls, "successful": successful_calls(out),
              "failed": failed_calls(out), "sipp_rc": rc, "samples": len(lat)}
    if lat:
        result.update({"p50_ms": round(percentile(lat, 50), 3),
                       "p99_ms": round(percentile(lat, 99), 3),
                       "max_ms": round(max(lat), 3),
                       "mean_ms": round(statistics.fmean(lat), 3)})
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(SOURCE / "build" / "bench" / "sip_bench.json"))
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--port-base", type=int, default=9000)
    args = parser.parse_args()

    binary = h.env_path("KRONIKA_BIN")
    if binary is None or not binary.exists():
        print("sip_bench: set KRONIKA_BIN to the kronika binary", file=sys.stderr)
        return 2
    if shutil.which("sipp") is None:
        print("sip_bench: SIPp not installed; skipped", file=sys.stderr)
        return 0
    two_cores = (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None
    server_cpu, sipp_cpu = ("0", "1") if two_cores else (None, "")
    ports = h.PortAllocator(args.port_base, span=3000)
    workdir = h.make_tempdir("kronika-sip-bench-")
    server = h.KronikaServer(binary, workdir / "server", ports, rtp_port_count=2000,
                             taskset_cpu=server_cpu,
                             config="[sip]\nmax_sessions = 100000\n[log]\nlevel = \"warn\"\n")
    server.start()
    try:
        warm = throughput(server, ports, workdir, sipp_cpu, args.concurrency, 300)
        probe = throughput(server, ports, workdir, sipp_cpu, args.concurrency, 2000)
        calls = max(2000, int(probe["cycles_per_s"] * args.seconds))
        tput = throughput(server, ports, workdir, sipp_cpu, args.concurrency, calls)
        max_rate = tput["cycles_per_s"]
        lat = [latency(server, ports, workdir, sipp_cpu, max(10, int(max_rate * f)), args.seconds)
               for f in (0.5, 0.8)]
        alive = server.alive()
    finally:
        code = server.stop()
    result = {
        "benchmark": "sip_bench",
        "what": "SIPREC INVITE->200->ACK->BYE->200 cycles/s, server on one core",
        "server_cpu": server_cpu, "sipp_cpu": sipp_cpu or None,
        "concurrency": args.concurrency, "warmup": warm, "throughput": tput,
        "latency": lat, "server_alive_at_end": alive, "server_exit_code": code,
        "host_cpus": os.cpu_count(),
        "loadavg_at_end": os.getloadavg(),
        "sipp_version": re.search(r"SIPp v\S+", subprocess.run(
            ["sipp", "-v"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True).stdout).group(0),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    shutil.rmtree(workdir, ignore_errors=True)
    ok = tput["failed"] == 0 and alive
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
