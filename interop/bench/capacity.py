#!/usr/bin/env python3
"""Capacity bench: how many concurrent two-leg SIPREC sessions one server core records
with nothing lost, and what each recorded call-second costs against bare libopus.

Method (issue 6 item 4): for each step N, a fresh `kronika serve` (one media worker)
pinned to core 0 and `kronika-loadgen` pinned to core 1 run N concurrent calls of
--call-seconds each, two PCMU legs paced at 20 ms. Loss is exact: packets the load
generator sent minus packets the server accepted (plus sequence gaps it counted). Server
CPU comes from /proc/<pid>/stat over the whole step; recorded call-seconds from
kronika_recorded_audio_seconds_total; memory per session from VmRSS at mid-call minus
idle. The bare-libopus reference (same PCM, rate, bitrate, complexity) is measured in the
same run by media_bench. The ramp stops after the first step that loses anything.

Usage: capacity.py --build BUILD_DIR [--steps 100,200,...] [--call-seconds 20]
                   [--out capacity.json] [--png capacity.png]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_bytes(pid):
    m = re.search(r"VmRSS:\s+(\d+) kB", open(f"/proc/{pid}/status").read())
    return int(m.group(1)) * 1024 if m else 0


SETUP_LIMIT_MS = 1000  # a slower 200 OK fails the step (SBCs time out INVITEs at a few seconds)


def scrape(port):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    values = {}
    for line in text.splitlines():
        m = re.match(r"^([a-z_]+)(\{[^}]*\})?\s+(\S+)$", line)
        if m:
            values[m.group(1)] = values.get(m.group(1), 0.0) + float(m.group(3))
            if m.group(2):  # labelled series kept too, e.g. dropped packets by reason
                key = m.group(1) + m.group(2)
                values[key] = values.get(key, 0.0) + float(m.group(3))
    return values


def run_step(args, n, step_index):
    work = tempfile.mkdtemp(prefix=f"kronika-capacity-{n}-")
    sip, http = 47100 + step_index * 10, 47180 + step_index
    config = os.path.join(work, "kronika.toml")
    with open(config, "w") as f:
        f.write(f"""[sip]
max_sessions = {max(2 * n, 100)}
[media]
workers = 1
rtp_port_min = 20000
rtp_port_max = 39999
""")
    server = subprocess.Popen(
        ["taskset", "-c", "0", os.path.join(args.build, "srs/kronika"), "serve", "--config", config,
         "--data-dir", os.path.join(work, "data"), "--sip", f"127.0.0.1:{sip}",
         "--http", f"127.0.0.1:{http}"],
        stdout=open(os.path.join(work, "server.log"), "w"), stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                scrape(http)
                break
            except OSError:
                time.sleep(0.1)
        idle_rss = rss_bytes(server.pid)
        cpu_before = cpu_seconds(server.pid)
        report_path = os.path.join(work, "loadgen.json")
        loadgen = subprocess.Popen(
            ["taskset", "-c", "1", os.path.join(args.build, "interop/kronika-loadgen"),
             "--target", f"127.0.0.1:{sip}", "--local", f"127.0.0.1:{sip + 1}",
             "--rtp-port-base", str(46000 + step_index * 4), "--calls", str(n), "--total", str(n),
             "--rate", str(args.setup_rate), "--duration", str(args.call_seconds), "--threads", "1",
             "--json", report_path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(n / args.setup_rate + args.call_seconds / 2)
        mid_rss = rss_bytes(server.pid)
        loadgen.wait(timeout=args.call_seconds * 4 + 120)
        time.sleep(1.5)  # last packets drained, files closed
        cpu = cpu_seconds(server.pid) - cpu_before
        metrics = scrape(http)
        load = json.load(open(report_path))
    finally:
        server.terminate()
        server.wait(30)
    sent = load["rtp"]["packets_sent"]
    accepted = metrics.get("kronika_rtp_packets_total", 0)
    gaps = metrics.get("kronika_rtp_lost_packets_total", 0)
    recorded = metrics.get("kronika_recorded_audio_seconds_total", 0)
    step = {
        "sessions": n,
        "answered": load["answered"],
        "failures_by_code": load["failures_by_code"],
        "rtp_sent": sent,
        "rtp_accepted": accepted,
        "rtp_lost": max(0, sent - accepted) + gaps,
        # Where the lost ones went: never accepted (sent - accepted) splits into the server's
        # drop reasons; gaps are sequence numbers that never arrived in time.
        "rtp_loss_breakdown": {"not_accepted": max(0, sent - accepted), "sequence_gaps": gaps,
                               **{k.split('"')[1]: v for k, v in metrics.items()
                                  if k.startswith("kronika_rtp_dropped_packets_total{") and v}},
        # INVITEs the server refused (503 + Retry-After) by reason: sofia's UAC in the load
        # generator retries them after Retry-After, which shows up as a slow setup.
        "rejected_by_reason": {k.split('"')[1]: v for k, v in metrics.items()
                               if k.startswith("kronika_sessions_rejected_total{") and v},
        "sender_late_ticks": load["rtp"]["late_ticks"],
        "server_cpu_seconds": cpu,
        "recorded_call_seconds": recorded,
        "server_cpu_per_call_second": cpu / recorded if recorded else None,
        "server_core_utilisation": cpu / load["wall_seconds"] if load["wall_seconds"] else None,
        "setup_rate_per_s": load["setup_rate_per_s"],
        "setup_latency_ms": load["setup_latency_ms"],
        "memory_per_session_bytes": (mid_rss - idle_rss) / n if n else 0,
    }
    # A step passes only if nothing was lost AND every call was set up promptly: a call whose
    # 200 OK took seconds sent fewer packets, which would otherwise hide as "nothing lost".
    step["zero_loss"] = (step["rtp_lost"] == 0 and not load["failures_by_code"]
                         and load["answered"] == n and load["mid_call_failures"] == 0
                         and load["setup_latency_ms"]["max"] < SETUP_LIMIT_MS)
    shutil.rmtree(work, ignore_errors=True)
    return step


def bare_reference(args):
    out = os.path.join(tempfile.mkdtemp(prefix="kronika-bare-"), "media.json")
    subprocess.run(["taskset", "-c", "0", os.path.join(args.build, "bench/media_bench"), "--no-ramp",
                    "--calls", "20", "--seconds", "10", "--out", out],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return json.load(open(out))["cost"]


def plot(result, png):
    if not shutil.which("gnuplot"):
        return
    data = png + ".dat"
    with open(data, "w") as f:
        for s in result["steps"]:
            f.write(f"{s['sessions']} {s['rtp_lost']} {100 * (s['server_core_utilisation'] or 0):.1f} "
                    f"{s['setup_latency_ms']['p99']:.2f} {s['memory_per_session_bytes'] / 1024:.1f}\n")
    script = f"""set terminal pngcairo size 1100,700
set output '{png}'
set multiplot layout 2,2 title 'Kronika capacity on one core (PCMU in, stereo Opus out)'
set xlabel 'concurrent sessions'
set ylabel 'server CPU (% of one core)'
plot '{data}' using 1:3 with linespoints title 'CPU'
set ylabel 'RTP packets lost'
plot '{data}' using 1:2 with linespoints title 'lost'
set ylabel '200 OK latency p99 (ms)'
plot '{data}' using 1:4 with linespoints title 'setup p99'
set ylabel 'memory per session (KiB)'
plot '{data}' using 1:5 with linespoints title 'RSS/session'
unset multiplot
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=False)
    os.remove(data)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True)
    p.add_argument("--steps", default="100,200,300,400,500,600,800,1000")
    p.add_argument("--call-seconds", type=float, default=20)
    p.add_argument("--setup-rate", type=float, default=200)
    p.add_argument("--out", default="capacity.json")
    p.add_argument("--png", default="")
    args = p.parse_args()
    if not shutil.which("taskset"):
        print("capacity: taskset (util-linux) is required", file=sys.stderr)
        return 2
    result = {"machine": {"cpus": os.cpu_count(), "uname": " ".join(os.uname())},
              "method": __doc__.split("Usage:")[0].strip(), "steps": []}
    result["bare_reference"] = bare_reference(args)
    bare = result["bare_reference"]["bare_libopus_cpu_per_call_second"]
    best = 0
    for i, n in enumerate(int(x) for x in args.steps.split(",")):
        step = run_step(args, n, i)
        step["ratio_to_bare_libopus"] = (step["server_cpu_per_call_second"] / bare
                                         if step["server_cpu_per_call_second"] and bare else None)
        result["steps"].append(step)
        print(json.dumps(step), file=sys.stderr)
        if not step["zero_loss"]:
            break
        best = n
    result["max_zero_loss_sessions_one_core"] = best
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    if args.png:
        plot(result, args.png)
    print(json.dumps({k: result[k] for k in ("max_zero_loss_sessions_one_core", "bare_reference")}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
