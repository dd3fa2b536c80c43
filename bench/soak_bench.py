#!/usr/bin/env python3
"""Soak: does a long run at steady load hold memory, descriptors and store growth flat?
(issue 12 item 8)

A fresh `kronika serve` takes `--sessions` concurrent SIPREC calls with real RTP from
`kronika-loadgen` for `--minutes`, and malformed INVITEs from this script on the side
(`--malformed` of all INVITEs, default 10 %: broken multipart, SDP that does not parse, a
NUL byte in a part header, 101 m-lines, a metadata document over the bound, a truncated
message; each must be answered 4xx). Every `--sample-s` seconds it records the server's
RSS, open descriptors, threads, live sessions, and the LMDB file's size and bytes per
recording. Results go to `--out` (JSON: samples, slopes, verdict) and a gnuplot chart to
the same name with .png.

Pass = flat after warm-up (the first `--warmup-min` minutes, default a fifth of the run):
over the samples after it, the least-squares growth of RSS across the whole post-warm-up
span is under 20 MB, of open descriptors under 16, and the LMDB bytes each recording adds
in the second half are at most 1.25 times those of the first half; every malformed INVITE was answered 4xx; the server is alive at the end.

The full run (the lead runs it on a quiet machine; it loads loopback with 300 x 2 RTP
streams):
  python3 bench/soak_bench.py --build build --minutes 60 --sessions 300
A short run to check the bench itself (a few minutes):
  python3 bench/soak_bench.py --build build --minutes 3 --sessions 40 --duration 20-40 --sample-s 10
Only loopback addresses are used.
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

from malformed_sip import malformed_shapes
from server_probe import proc_status, scrape

SIP_PORT, HTTP_PORT, LOADGEN_SIP_PORT, LOADGEN_RTP_BASE = 47700, 47780, 47701, 44000
RSS_GROWTH_LIMIT_MB = 20
FD_GROWTH_LIMIT = 16
FDS_PER_SESSION = 3  # two RTP sockets and the recording file
LMDB_MARGINAL_GROWTH_LIMIT = 1.25  # bytes per added recording, second half vs first half


SDP = ("v=0\r\no=SRC 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       "m=audio 40000 RTP/AVP 0\r\na=label:1\r\na=sendonly\r\n")
META = ("<recording xmlns='urn:ietf:params:xml:ns:recording:1'><datamode>complete</datamode>"
        "</recording>\r\n")


def invite(body, ctype, local_port, n):
    require = "Require: siprec\r\n" if ctype.startswith("multipart/") else ""
    call_id = f"soak-bad-{uuid.uuid4().hex}"
    head = (f"INVITE sip:srs@127.0.0.1:{SIP_PORT} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{local_port};branch=z9hG4bK{uuid.uuid4().hex[:16]};rport\r\n"
            f"From: <sip:src@127.0.0.1>;tag=b{n}\r\nTo: <sip:srs@127.0.0.1>\r\nCall-ID: {call_id}\r\n"
            f"CSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContact: <sip:src@127.0.0.1:{local_port}>\r\n"
            f"{require}Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body, call_id


class MalformedSender(threading.Thread):
    """Sends malformed INVITEs at `rate` per second; ACKs nothing (the worst case: each
    refused transaction lives its full timer); counts final answers by class."""

    def __init__(self, rate):
        super().__init__(daemon=True)
        self.rate = rate
        self.stop = threading.Event()
        self.sent = 0
        self.answers = {}  # "4xx", "2xx", ...
        self.by_shape = {}
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.pending = {}  # call-id -> shape

    def run(self):
        shapes = malformed_shapes(SDP, META)
        port = self.sock.getsockname()[1]
        next_send = time.monotonic()
        while not self.stop.is_set():
            now = time.monotonic()
            if self.rate > 0 and now >= next_send:
                name, body, ctype = shapes[self.sent % len(shapes)]
                data, call_id = invite(body, ctype, port, self.sent)
                self.sock.sendto(data, ("127.0.0.1", SIP_PORT))
                self.pending[call_id] = name
                self.sent += 1
                next_send += 1.0 / self.rate
            try:
                data = self.sock.recv(65535).decode(errors="replace")
            except socket.timeout:
                continue
            status = int(data.split(" ", 2)[1]) if data.startswith("SIP/2.0 ") else 0
            if status < 200:
                continue
            m = re.search(r"^Call-ID:\s*(\S+)", data, re.M | re.I)
            shape = self.pending.pop(m.group(1), None) if m else None
            if shape is None:
                continue  # a retransmitted final answer
            key = f"{status // 100}xx"
            self.answers[key] = self.answers.get(key, 0) + 1
            self.by_shape.setdefault(shape, {}).setdefault(str(status), 0)
            self.by_shape[shape][str(status)] += 1


def slope_per_s(points):
    """Least-squares slope of [(t, v)]."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mt = sum(t for t, _ in points) / n
    mv = sum(v for _, v in points) / n
    den = sum((t - mt) ** 2 for t, _ in points)
    return sum((t - mt) * (v - mv) for t, v in points) / den if den else 0.0


def plot(samples, png, title):
    if shutil.which("gnuplot") is None:
        return "gnuplot not installed"
    data = png + ".dat"
    with open(data, "w") as f:
        for s in samples:
            f.write(f"{s['t_s'] / 60:.3f} {s['rss_mb']:.2f} {s['fds']} {s['lmdb_bytes_per_recording'] / 1024:.3f} "
                    f"{s['sessions_active']} {s['rss_anon_mb']:.2f}\n")
    script = f"""set terminal pngcairo size 1000,700
set output '{png}'
set multiplot layout 3,1 title '{title}'
set xlabel 'minutes'
set ylabel 'RSS MB'
plot '{data}' using 1:2 with linespoints title 'RSS', '{data}' using 1:6 with linespoints title 'anonymous (heap)'
set ylabel 'open fds'
plot '{data}' using 1:3 with linespoints title 'fds', '{data}' using 1:5 with lines title 'sessions'
set ylabel 'KiB / recording'
plot '{data}' using 1:4 with linespoints title 'LMDB size per recording'
unset multiplot
"""
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    return r.stderr.strip() or None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True)
    p.add_argument("--minutes", type=float, default=60)
    p.add_argument("--sessions", type=int, default=300, help="concurrent calls")
    p.add_argument("--duration", default="30-90", help="call length, seconds (MIN-MAX)")
    p.add_argument("--malformed", type=float, default=0.10, help="share of all INVITEs that are malformed")
    p.add_argument("--sample-s", type=float, default=60)
    p.add_argument("--warmup-min", type=float, default=None, help="default: a fifth of the run")
    p.add_argument("--out", default="soak_bench.json")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    args = p.parse_args()
    lo, _, hi = args.duration.partition("-")
    mean_call_s = (float(lo) + float(hi or lo)) / 2
    total_calls = max(args.sessions, int(args.sessions * args.minutes * 60 / mean_call_s))
    call_rate = args.sessions / mean_call_s * 1.5  # ramps up to `sessions` in ~2/3 of a call
    bad_rate = args.sessions / mean_call_s * args.malformed / (1 - args.malformed)
    warmup_s = (args.warmup_min if args.warmup_min is not None else args.minutes / 5) * 60

    work = tempfile.mkdtemp(prefix="kronika-soak-bench-")
    data_dir = os.path.join(work, "data")
    config = os.path.join(work, "kronika.toml")
    with open(config, "w") as f:
        f.write(f"[sip]\nmax_sessions = {2 * args.sessions + 100}\nmax_sessions_per_source = {2 * args.sessions + 100}\n"
                f"[media]\nrtp_port_min = 50000\nrtp_port_max = 59999\n")
    server = subprocess.Popen(
        [os.path.join(args.build, "srs/kronika"), "serve", "--config", config, "--data-dir", data_dir,
         "--sip", f"127.0.0.1:{SIP_PORT}", "--http", f"127.0.0.1:{HTTP_PORT}"],
        stdout=open(os.path.join(work, "server.log"), "w"), stderr=subprocess.STDOUT)
    samples = []
    bad = MalformedSender(bad_rate)
    loadgen = None
    started = time.monotonic()
    try:
        for _ in range(300):
            try:
                scrape(HTTP_PORT)
                break
            except OSError:
                time.sleep(0.1)
        idle_rss_mb = proc_status(server.pid, "VmRSS") / 1024
        report_path = os.path.join(work, "loadgen.json")
        loadgen = subprocess.Popen(
            [os.path.join(args.build, "interop/kronika-loadgen"), "--target", f"127.0.0.1:{SIP_PORT}",
             "--local", f"127.0.0.1:{LOADGEN_SIP_PORT}", "--rtp-port-base", str(LOADGEN_RTP_BASE),
             "--calls", str(args.sessions), "--total", str(total_calls), "--rate", f"{call_rate:.3f}",
             "--duration", args.duration, "--threads", "1", "--json", report_path],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "loadgen.log"), "w"))
        bad.start()
        lmdb = os.path.join(data_dir, "db", "data.mdb")
        end = started + args.minutes * 60
        next_sample = started
        while time.monotonic() < end and server.poll() is None:
            if time.monotonic() >= next_sample:
                m = scrape(HTTP_PORT)
                recordings = m.get("kronika_recordings_finished_total", 0) + m.get("kronika_recordings_active", 0)
                lmdb_bytes = os.stat(lmdb).st_blocks * 512 if os.path.exists(lmdb) else 0
                samples.append({
                    "t_s": round(time.monotonic() - started, 1),
                    "rss_mb": proc_status(server.pid, "VmRSS") / 1024,
                    # VmRSS = anonymous (heap, stacks) + file-backed pages; the latter are mostly
                    # LMDB's memory map, which grows with the database (judged per recording).
                    "rss_anon_mb": proc_status(server.pid, "RssAnon") / 1024,
                    "rss_file_mb": proc_status(server.pid, "RssFile") / 1024,
                    "fds": len(os.listdir(f"/proc/{server.pid}/fd")),
                    "threads": proc_status(server.pid, "Threads"),
                    "sessions_active": m.get("kronika_sessions_active", 0),
                    "recordings": recordings,
                    "lmdb_bytes": lmdb_bytes,
                    "lmdb_bytes_per_recording": lmdb_bytes / recordings if recordings else 0,
                    "malformed_sent": bad.sent,
                })
                print(json.dumps(samples[-1]), flush=True)
                next_sample += args.sample_s
            time.sleep(0.5)
        alive = server.poll() is None
    finally:
        bad.stop.set()
        if loadgen is not None and loadgen.poll() is None:
            loadgen.terminate()
            loadgen.wait(30)
        server.terminate()
        server.wait(60)

    after = [s for s in samples if s["t_s"] >= warmup_s]
    span_s = (after[-1]["t_s"] - after[0]["t_s"]) if len(after) >= 2 else 0
    rss_growth = slope_per_s([(s["t_s"], s["rss_mb"]) for s in after]) * span_s
    anon_growth = slope_per_s([(s["t_s"], s["rss_anon_mb"]) for s in after]) * span_s
    fd_growth = slope_per_s([(s["t_s"], s["fds"]) for s in after]) * span_s
    # Each live session holds three descriptors (two RTP sockets, its open file) and the
    # number of live sessions wanders with call lengths: a leak is what is left over.
    fd_residual_growth = slope_per_s([(s["t_s"], s["fds"] - FDS_PER_SESSION * s["sessions_active"])
                                      for s in after]) * span_s
    # LMDB bytes per recording added, first and second half of the samples after warm-up:
    # flat = the second half does not cost more per recording than the first.
    def marginal(part):
        if len(part) < 2 or part[-1]["recordings"] - part[0]["recordings"] < 20:
            return None
        return (part[-1]["lmdb_bytes"] - part[0]["lmdb_bytes"]) / (part[-1]["recordings"] - part[0]["recordings"])
    half = len(after) // 2
    lmdb_first, lmdb_second = marginal(after[:half + 1]), marginal(after[half:])
    lmdb_judged = lmdb_first is not None and lmdb_second is not None
    lmdb_ratio = (lmdb_second / lmdb_first) if lmdb_judged and lmdb_first > 0 else None
    non_4xx = sum(v for k, v in bad.answers.items() if k != "4xx")
    unanswered = bad.sent - sum(bad.answers.values())
    checks = {
        "enough_samples_after_warmup": len(after) >= 3,
        # A leak is anonymous memory; the database's map pages are judged by LMDB bytes per
        # recording below (VmRSS growth, reported too, includes them).
        "heap_flat": anon_growth < RSS_GROWTH_LIMIT_MB,
        "fds_flat": fd_residual_growth < FD_GROWTH_LIMIT,
        "lmdb_per_recording_flat": (not lmdb_judged) or lmdb_ratio is None
                                   or lmdb_ratio <= LMDB_MARGINAL_GROWTH_LIMIT,
        "malformed_all_answered_4xx": non_4xx == 0 and unanswered <= 2,  # the last ones may be in flight
        "server_alive": alive,
    }
    result = {
        "command": " ".join(sys.argv),
        "minutes": args.minutes, "sessions": args.sessions, "duration": args.duration,
        "malformed_share": args.malformed, "sample_s": args.sample_s, "warmup_s": warmup_s,
        "idle_rss_mb": idle_rss_mb,
        "rss_growth_after_warmup_mb": rss_growth,
        "rss_anon_growth_after_warmup_mb": anon_growth,
        "fd_growth_after_warmup": fd_growth,
        "fd_growth_beyond_sessions_after_warmup": fd_residual_growth,
        "lmdb_marginal_bytes_per_recording": {"first_half": lmdb_first, "second_half": lmdb_second,
                                              "judged": lmdb_judged},
        "server_exit": server.returncode if not alive else None,
        "malformed": {"sent": bad.sent, "answers": bad.answers, "by_shape": bad.by_shape, "unanswered": unanswered},
        "loadgen": json.load(open(report_path)) if os.path.exists(report_path) else None,
        "samples": samples,
        "checks": checks,
        "pass": all(checks.values()),
    }
    png = os.path.splitext(args.out)[0] + ".png"
    result["plot"] = png
    problem = plot(samples, png, f"kronika soak: {args.sessions} sessions, {args.malformed:.0%} malformed INVITEs")
    if problem:
        result["plot_problem"] = problem
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps({k: result[k] for k in ("rss_growth_after_warmup_mb", "rss_anon_growth_after_warmup_mb",
                                             "fd_growth_after_warmup", "fd_growth_beyond_sessions_after_warmup",
                                             "lmdb_marginal_bytes_per_recording", "malformed", "server_exit",
                                             "checks", "pass")},
                     indent=2))
    if result["pass"] and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"soak_bench: kept {work} (server.log, loadgen.json)", file=sys.stderr)
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
