#!/usr/bin/env python3
"""SIP signalling benchmark: SIPREC INVITE -> 200 OK -> ACK -> BYE -> 200 OK cycles per
second that one core of `kronika serve` sustains, and 200 OK latency at that load.

The server is pinned to CPU 0 (`taskset -c 0`), SIPp to CPU 1, both on loopback, no media.
  1. throughput: closed loop, SIPp keeps --concurrency calls in flight with no rate limit
     for about --seconds; cycles/s = successful calls / wall time (all calls must succeed).
     The server's CPU per thread over that run gives the SIP thread's own ceiling:
     successful calls / CPU seconds of the SIP (main) thread — the setups/s one SIP thread
     sustains once media and store work run on other cores;
  2. latency: SIPp keeps an open-loop load of 50 % and 80 % of that rate for --seconds
     while a probe (tests/integration/sip/sip_client.py, on SIPp's core) places its own
     SIPREC calls one after another and times INVITE sent -> 200 OK received with
     time.perf_counter(); SIPp's own response times (-trace_rtt, 1 ms resolution) for
     every load call are reported beside it. (SIPp's -trace_msg timestamps would give
     microseconds, but tracing every message slows SIPp itself down at these rates.)
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
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent
sys.path.insert(0, str(SOURCE / "tests" / "integration" / "sip"))
sys.path.insert(0, str(SOURCE / "tests" / "integration"))
import harness as h  # noqa: E402
from sip_client import Dialog, SipClient  # noqa: E402

SCENARIO = HERE / "sip_bench.xml"


def sipp_cmd(server: h.Kronika, ports: h.PortAllocator, cpu: str, extra: list[str]) -> list[str]:
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
    """Closed-loop run; also the server's CPU per thread over it. The SIP thread's ceiling
    is the cycle rate at which that one thread would be busy 100 % of the time: cycles /
    its CPU seconds. Every SIP message, session, policy and media/store hand-off of a call
    runs on it, so it is the limit no number of media workers raises."""
    before = h.thread_cpu_seconds(server.proc.pid)
    rc, wall, out = run(sipp_cmd(server, ports, cpu, [
        "-m", str(calls), "-l", str(concurrency), "-r", "100000", "-rp", "1000"]), workdir)
    after = h.thread_cpu_seconds(server.proc.pid)
    ok = successful_calls(out)
    threads = {k: round(v - before.get(k, 0.0), 3) for k, v in sorted(after.items())}
    sip_cpu = threads.get("main", 0.0)
    return {"calls": calls, "successful": ok, "failed": failed_calls(out), "sipp_rc": rc,
            "wall_s": round(wall, 3), "cycles_per_s": round(ok / wall, 1) if wall else 0,
            "server_cpu_s": round(sum(threads.values()), 3), "thread_cpu_s": threads,
            "sip_thread_cpu_s": sip_cpu,
            "sip_thread_cpu_per_cycle_us": round(1e6 * sip_cpu / ok, 1) if ok else None,
            "sip_thread_ceiling_cycles_per_s": round(ok / sip_cpu, 1) if sip_cpu else None}


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def summary(values: list[float]) -> dict:
    if not values:
        return {"samples": 0}
    return {"samples": len(values), "p50_ms": round(percentile(values, 50), 3),
            "p99_ms": round(percentile(values, 99), 3), "max_ms": round(max(values), 3),
            "mean_ms": round(statistics.fmean(values), 3)}


BODY = (SOURCE / "interop" / "sipp" / "bodies" / "lf-only-siprec-body.txt").read_text()
BODY = BODY.replace("\r\n", "\n").replace("\n", "\r\n").encode()
BODY_TYPE = "multipart/mixed;boundary=kronika-lf-boundary"


def probe_calls(server: h.Kronika, seconds: float, stop: threading.Event) -> list[float]:
    """Sequential SIPREC calls; returns INVITE->200 times in ms."""
    lat: list[float] = []
    deadline = time.monotonic() + seconds
    client = SipClient("udp", h.LOOPBACK, server.sip_port, timeout_s=5)
    try:
        while time.monotonic() < deadline and not stop.is_set():
            d = Dialog(client)
            t0 = time.perf_counter()
            resp = d.invite(BODY, BODY_TYPE)
            t1 = time.perf_counter()
            if resp and resp[-1].status == 200:
                lat.append((t1 - t0) * 1000)
                d.ack(resp[-1])
                d.bye()
            elif resp:
                d.ack(resp[-1])
            time.sleep(0.02)
    finally:
        client.close()
    return lat


def sipp_rtts(rundir: Path) -> list[float]:
    values = []
    for f in rundir.glob("*_rtt.csv"):
        for line in f.read_text().splitlines()[1:]:
            parts = line.split(";")
            if len(parts) >= 2:
                try:
                    values.append(float(parts[1]))
                except ValueError:
                    pass
    return values


def latency(server, ports, workdir, cpu, rate, seconds) -> dict:
    rundir = workdir / f"latency-{rate}"
    rundir.mkdir()
    calls = int(rate * seconds)
    stop = threading.Event()
    probe: list[float] = []
    worker = threading.Thread(target=lambda: probe.extend(
        probe_calls(server, seconds - 0.5, stop)))
    cmd = sipp_cmd(server, ports, cpu, ["-m", str(calls), "-r", str(rate), "-rp", "1000",
                                        "-l", str(max(100, rate)), "-trace_rtt",
                                        "-rtt_freq", "1"])
    time.sleep(0)
    proc = subprocess.Popen(cmd, cwd=rundir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    time.sleep(0.5)  # probe once the load is running
    worker.start()
    out = proc.communicate()[0].decode(errors="replace")
    stop.set()
    worker.join()
    return {"rate_cps": rate, "calls": calls, "successful": successful_calls(out),
            "failed": failed_calls(out), "sipp_rc": proc.returncode,
            "probe_invite_to_200": summary(probe),
            "sipp_rtt_1ms_resolution": summary(sipp_rtts(rundir))}


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
    binary = binary.resolve()  # the server runs in its own work dir
    if shutil.which("sipp") is None:
        print("sip_bench: SIPp not installed; skipped", file=sys.stderr)
        return 0
    two_cores = (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None
    server_cpu, sipp_cpu = ("0", "1") if two_cores else (None, "")
    if two_cores:
        os.sched_setaffinity(0, {1})  # this script's probe shares SIPp's core, not the server's
    ports = h.PortAllocator(args.port_base, span=3000)
    workdir = h.make_tempdir("kronika-sip-bench-")
    server = h.Kronika(work=workdir / "server", ports=ports, rtp_ports=2000, binary=binary,
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
               for f in (0.5, 0.8, 1.0)]
        alive = server.alive()
    finally:
        code = server.stop()
    result = {
        "benchmark": "sip_bench",
        "what": "SIPREC INVITE->200->ACK->BYE->200 cycles/s, server on one core",
        "server_cpu": server_cpu, "sipp_cpu": sipp_cpu or None,
        "concurrency": args.concurrency, "warmup": warm, "throughput": tput,
        # CPU clock ticks are 10 ms: at --seconds 10 the SIP thread's share is known to ~1 %.
        "sip_thread_ceiling_cycles_per_s": tput["sip_thread_ceiling_cycles_per_s"],
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
