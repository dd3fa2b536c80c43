#!/usr/bin/env python3
"""Capacity bench: how many concurrent two-leg SIPREC sessions a server core records with
nothing lost, per input codec, and what each recorded call-second costs against the bare
libopus encode of the same audio.

Method (issues 6 and 18): for each codec of --codec and each step N, a fresh `kronika
serve` with --workers media workers pinned to --cores and `kronika-loadgen` pinned to
--loadgen-cores run N concurrent calls of --call-seconds each, two legs of that codec
(RTP/AVP, or SDES-SRTP with --srtp) carrying real speech (--audio, encoded once by the
load generator) paced at 20 ms. Loss is exact: packets the load generator sent minus
packets the server accepted (plus sequence gaps it counted). Server CPU comes from
/proc/<pid>/stat over the whole step (per thread as well); recorded call-seconds from
kronika_recorded_audio_seconds_total; memory per session from VmRSS at mid-call minus
idle. The bare-libopus reference (two-channel encode of the same audio at the rate the
server records that codec at, 16 kbit/s, complexity 0, forced two channels) is measured
in the same run by bare_opus_bench on the server's first core. For each codec the ramp
stops after the first step that loses anything; zero-loss sessions per core = the last
passing step / number of server cores.

Usage: capacity.py --build BUILD_DIR [--codec pcmu,pcma,g722,g729,opus|all] [--srtp]
                   [--workers N] [--cores LIST] [--loadgen-cores LIST] [--audio FILE]
                   [--steps 100,200,...] [--call-seconds 20] [--out capacity.json]
                   [--png capacity.png]
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
SOURCE = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
from harness import thread_cpu_seconds  # noqa: E402  (per-thread CPU; "main" = the SIP thread)
SHARED = os.environ.get("KRONIKA_SHARED", os.path.join(os.path.dirname(SOURCE), "shared"))
CORPUS_SPEECH = os.path.join(SHARED, "interop-corpus", "sipp", "miarecdev", "audio_alaw.wav")
CODECS = ("pcmu", "pcma", "g722", "g729", "opus")
# The rate Kronika records each input at (media/src/media_engine.cc NativeRateHz): wideband
# inputs at 16 kHz, narrowband at 8 kHz; the bare reference encodes at the same rate.
RECORDING_RATE_HZ = {"pcmu": 8000, "pcma": 8000, "g722": 16000, "g729": 8000, "opus": 16000}
SETUP_LIMIT_MS = 1000  # a slower 200 OK fails the step (SBCs time out INVITEs at a few seconds)


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_bytes(pid):
    m = re.search(r"VmRSS:\s+(\d+) kB", open(f"/proc/{pid}/status").read())
    return int(m.group(1)) * 1024 if m else 0


def parse_cpu_list(text):
    """'0', '0,1', '0-3' -> sorted list of CPU numbers (taskset's syntax)."""
    cpus = set()
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            cpus.update(range(int(a), int(b) + 1))
        elif part.strip():
            cpus.add(int(part))
    return sorted(cpus)


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


def run_step(args, codec, n, step_index):
    work = tempfile.mkdtemp(prefix=f"kronika-capacity-{codec}-{n}-")
    sip, http = 47100 + step_index * 10, 47180 + step_index
    config = os.path.join(work, "kronika.toml")
    with open(config, "w") as f:
        f.write(f"""[sip]
max_sessions = {max(2 * n, 100)}
[media]
workers = {args.workers}
rtp_port_min = 20000
rtp_port_max = 39999
""")
        if args.extra_config:
            # Settings under test, e.g. a [[webhooks]] entry whose endpoint never answers.
            with open(args.extra_config) as extra:
                f.write(extra.read())
    server = subprocess.Popen(
        ["taskset", "-c", args.cores, os.path.join(args.build, "srs/kronika"), "serve", "--config", config,
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
        threads_before = thread_cpu_seconds(server.pid)
        report_path = os.path.join(work, "loadgen.json")
        loadgen = subprocess.Popen(
            ["taskset", "-c", args.loadgen_cores, os.path.join(args.build, "interop/kronika-loadgen"),
             "--target", f"127.0.0.1:{sip}", "--local", f"127.0.0.1:{sip + 1}",
             "--rtp-port-base", str(46000 + step_index * 4), "--calls", str(n), "--total", str(n),
             "--rate", str(args.setup_rate), "--duration", str(args.call_seconds), "--threads", "1",
             "--codec", codec, "--audio", args.audio, "--json", report_path] + (["--srtp"] if args.srtp else []),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(n / args.setup_rate + args.call_seconds / 2)
        mid_rss = rss_bytes(server.pid)
        _, loadgen_err = loadgen.communicate(timeout=args.call_seconds * 4 + 120)
        time.sleep(1.5)  # last packets drained, files closed
        cpu = cpu_seconds(server.pid) - cpu_before
        threads_after = thread_cpu_seconds(server.pid)
        metrics = scrape(http)
        if not os.path.exists(report_path):
            raise RuntimeError(f"kronika-loadgen wrote no report (exit {loadgen.returncode}): {loadgen_err[-500:]}")
        load = json.load(open(report_path))
    finally:
        server.terminate()
        server.wait(30)
    sent = load["rtp"]["packets_sent"]
    accepted = metrics.get("kronika_rtp_packets_total", 0)
    gaps = metrics.get("kronika_rtp_lost_packets_total", 0)
    recorded = metrics.get("kronika_recorded_audio_seconds_total", 0)
    cores = len(parse_cpu_list(args.cores))
    step = {
        "codec": codec,
        "srtp": args.srtp,
        "workers": args.workers,
        "cores": args.cores,
        "sessions": n,
        "sessions_per_core": n / cores,
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
        "sender_send_errors": load["rtp"]["send_errors"],
        "server_cpu_seconds": cpu,
        "server_thread_cpu_seconds": {k: round(v - threads_before.get(k, 0.0), 2)
                                      for k, v in sorted(threads_after.items())},
        "recorded_call_seconds": recorded,
        "server_cpu_per_call_second": cpu / recorded if recorded else None,
        # Share of the pinned cores the server used over the step (1.0 = all of them).
        "server_core_utilisation": cpu / load["wall_seconds"] / cores if load["wall_seconds"] else None,
        "setup_rate_per_s": load["setup_rate_per_s"],
        "setup_latency_ms": load["setup_latency_ms"],
        "memory_per_session_bytes": (mid_rss - idle_rss) / n if n else 0,
        "audio": load.get("audio"),
    }
    # A step passes only if nothing was lost AND every call was set up promptly: a call whose
    # 200 OK took seconds sent fewer packets, which would otherwise hide as "nothing lost".
    step["zero_loss"] = (step["rtp_lost"] == 0 and not load["failures_by_code"]
                         and load["answered"] == n and load["mid_call_failures"] == 0
                         and load["rtp"]["send_errors"] == 0 and load["rtp"].get("exhausted_packets", 0) == 0
                         and load["setup_latency_ms"]["max"] < SETUP_LIMIT_MS)
    shutil.rmtree(work, ignore_errors=True)
    return step


def bare_reference(args, codec):
    """bare_opus_bench on the server's first core: the same audio at the codec's recording
    rate, encoded by bare libopus only."""
    out = os.path.join(tempfile.mkdtemp(prefix="kronika-bare-"), "bare.json")
    first_core = str(parse_cpu_list(args.cores)[0])
    subprocess.run(["taskset", "-c", first_core, os.path.join(args.build, "bench/bare_opus_bench"),
                    "--audio", args.audio, "--rate", str(RECORDING_RATE_HZ[codec]),
                    "--seconds", str(args.bare_seconds), "--reps", str(args.bare_reps), "--out", out],
                   check=True, stdout=subprocess.DEVNULL)
    result = json.load(open(out))
    shutil.rmtree(os.path.dirname(out), ignore_errors=True)
    return result


def plot(result, png):
    if not shutil.which("gnuplot") or not result["runs"]:
        return
    data_files, plots = [], {"cpu": [], "lost": [], "setup": [], "rss": []}
    for i, run in enumerate(result["runs"]):
        data = f"{png}.{i}.dat"
        data_files.append(data)
        with open(data, "w") as f:
            for s in run["steps"]:
                f.write(f"{s['sessions']} {s['rtp_lost']} {100 * (s['server_core_utilisation'] or 0):.1f} "
                        f"{s['setup_latency_ms']['p99']:.2f} {s['memory_per_session_bytes'] / 1024:.1f}\n")
        title = run["codec"] + ("+srtp" if run["srtp"] else "")
        plots["cpu"].append(f"'{data}' using 1:3 with linespoints title '{title}'")
        plots["lost"].append(f"'{data}' using 1:2 with linespoints title '{title}'")
        plots["setup"].append(f"'{data}' using 1:4 with linespoints title '{title}'")
        plots["rss"].append(f"'{data}' using 1:5 with linespoints title '{title}'")
    cfg = result["config"]
    script = f"""set terminal pngcairo size 1100,700
set output '{png}'
set multiplot layout 2,2 title 'Kronika capacity: {cfg["workers"]} worker(s) on core(s) {cfg["cores"]}, two-channel Opus out'
set xlabel 'concurrent sessions'
set ylabel 'server CPU (% of its cores)'
plot {", ".join(plots["cpu"])}
set ylabel 'RTP packets lost'
plot {", ".join(plots["lost"])}
set ylabel '200 OK latency p99 (ms)'
plot {", ".join(plots["setup"])}
set ylabel 'memory per session (KiB)'
plot {", ".join(plots["rss"])}
unset multiplot
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=False)
    for data in data_files:
        os.remove(data)


def default_audio():
    if os.path.exists(CORPUS_SPEECH):
        return CORPUS_SPEECH
    if shutil.which("espeak-ng"):
        path = os.path.join(tempfile.mkdtemp(prefix="kronika-capacity-speech-"), "speech.wav")
        text = ("Dzień dobry, dodzwonili się Państwo do urzędu miasta. Rozmowa jest nagrywana. "
                "Proszę podać numer sprawy oraz imię i nazwisko, a następnie opisać, w czym możemy pomóc.")
        subprocess.run(["espeak-ng", "-v", "pl", "-w", path, text], check=True)
        return path
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build", required=True)
    p.add_argument("--codec", default="pcmu", help="comma-separated list of " + ", ".join(CODECS) + ", or all")
    p.add_argument("--srtp", action="store_true", help="SDES-SRTP (RTP/SAVP, AES_CM_128_HMAC_SHA1_80) on every leg")
    p.add_argument("--workers", type=int, default=1, help="media workers of the server ([media] workers)")
    p.add_argument("--cores", default="0", help="CPUs the server is pinned to (taskset list)")
    p.add_argument("--loadgen-cores", default="", help="CPUs of the load generator (default: the others)")
    p.add_argument("--audio", default="", help="speech the legs carry (default: the interop corpus recording)")
    p.add_argument("--steps", default="100,200,300,400,500,600,800,1000")
    p.add_argument("--call-seconds", type=float, default=20)
    p.add_argument("--setup-rate", type=float, default=200)
    p.add_argument("--bare-seconds", type=float, default=120, help="call-seconds per bare-libopus repetition")
    p.add_argument("--bare-reps", type=int, default=5)
    p.add_argument("--extra-config", default="",
                   help="a TOML file appended to the server's kronika.toml (what an A/B run varies)")
    p.add_argument("--out", default="capacity.json")
    p.add_argument("--png", default="")
    args = p.parse_args()
    if not shutil.which("taskset"):
        print("capacity: taskset (util-linux) is required", file=sys.stderr)
        return 2
    codecs = list(CODECS) if args.codec == "all" else [c.strip().lower() for c in args.codec.split(",")]
    if any(c not in CODECS for c in codecs) or args.workers < 1:
        print(f"capacity: --codec takes {', '.join(CODECS)} or all; --workers >= 1", file=sys.stderr)
        return 2
    server_cpus = parse_cpu_list(args.cores)
    if not server_cpus or max(server_cpus) >= (os.cpu_count() or 1):
        print(f"capacity: --cores {args.cores} is not a CPU list of this machine", file=sys.stderr)
        return 2
    if not args.loadgen_cores:
        others = [c for c in range(os.cpu_count() or 1) if c not in server_cpus]
        args.loadgen_cores = ",".join(map(str, others)) if others else args.cores
        if not others:
            print("capacity: warning: no CPU left for the load generator, it shares the server's", file=sys.stderr)
    args.audio = args.audio or default_audio()
    if not args.audio:
        print(f"capacity: no speech: give --audio FILE ({CORPUS_SPEECH} missing, no espeak-ng)", file=sys.stderr)
        return 2

    result = {"machine": {"cpus": os.cpu_count(), "uname": " ".join(os.uname()), "loadavg_at_start": os.getloadavg()},
              "method": __doc__.split("Usage:")[0].strip(),
              "config": {"extra_config": open(args.extra_config).read() if args.extra_config else "",
                         "codecs": codecs, "srtp": args.srtp, "workers": args.workers, "cores": args.cores,
                         "core_count": len(server_cpus), "loadgen_cores": args.loadgen_cores, "audio": args.audio,
                         "call_seconds": args.call_seconds, "setup_rate": args.setup_rate, "steps": args.steps},
              "runs": []}
    step_index = 0
    for codec in codecs:
        bare = bare_reference(args, codec)
        bare_cost = bare["bare_libopus_cpu_per_call_second"]
        run = {"codec": codec, "srtp": args.srtp, "workers": args.workers, "cores": args.cores,
               "bare_reference": bare, "steps": []}
        best = None
        for n in (int(x) for x in args.steps.split(",")):
            step = run_step(args, codec, n, step_index)
            step_index += 1
            step["bare_libopus_cpu_per_call_second"] = bare_cost
            step["ratio_to_bare_libopus"] = (step["server_cpu_per_call_second"] / bare_cost
                                             if step["server_cpu_per_call_second"] and bare_cost else None)
            run["steps"].append(step)
            print(json.dumps(step), file=sys.stderr)
            if not step["zero_loss"]:
                break
            best = step
        run["max_zero_loss_sessions"] = best["sessions"] if best else 0
        run["zero_loss_sessions_per_core"] = best["sessions_per_core"] if best else 0
        # Cost at the highest zero-loss step (where the per-call overheads are spread widest).
        run["cpu_per_recorded_call_second"] = best["server_cpu_per_call_second"] if best else None
        run["ratio_to_bare_libopus"] = best["ratio_to_bare_libopus"] if best else None
        result["runs"].append(run)
    result["summary"] = [{k: r[k] for k in ("codec", "srtp", "workers", "cores", "zero_loss_sessions_per_core",
                                            "max_zero_loss_sessions", "cpu_per_recorded_call_second",
                                            "ratio_to_bare_libopus")}
                         | {"bare_libopus_cpu_per_call_second": r["bare_reference"]["bare_libopus_cpu_per_call_second"]}
                         for r in result["runs"]]
    result["machine"]["loadavg_at_end"] = os.getloadavg()
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    if args.png:
        plot(result, args.png)
    print(json.dumps(result["summary"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
