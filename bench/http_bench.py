#!/usr/bin/env python3
"""HTTP API throughput and latency with wrk (docs/benchmarks.md, "HTTP API").

Starts bench/http_bench_server.cc (the routes `kronika serve` mounts, over a real LMDB store
with --records recordings) pinned to CPU 0 and loads it with wrk pinned to CPU 1: 50
connections (keep-alive) for --seconds per endpoint, over plain HTTP and over TLS:
  metrics      GET /metrics
  new_connection GET /healthz with "Connection: close": a new TCP (and TLS) connection per
               request, so connection set-up and the TLS handshake are what is measured
  query        GET /api/v1/recordings?number=+48601200042&limit=50 (records keeper's token)
  audio_1mib   GET /bench/audio: a 1 MiB range of a recording file, read by the audio route's
               own function, without its listening-register append (see the server)
  playback     GET /api/v1/recordings/{id}/audio with Range: bytes=0-1048575 (listener's
               token): the real route, register entry with fsync and all (--playback)
During every run a probe (a new client, fresh connection every 250 ms, GET /healthz) times
how long a monitoring system would wait for an answer while the 50 clients load the server.
Several servers (--server NAME=BINARY, e.g. the same server built on two HTTP libraries) are
run in turn, --rounds times in alternating order, and each figure is the median over the
rounds: on a shared machine a single run says little.

Writes JSON: per server, scheme and endpoint the median requests/s, p50/p99 latency (ms),
errors, and every round's figures.

  python3 bench/http_bench.py --server mhd=build/bench/http_bench_server --out http_bench.json
"""
import argparse
import json
import os
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time

WRK_REPORT = r"""
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def make_certificate(work):
    pem = os.path.join(work, "server.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-keyout", os.path.join(work, "key.pem"),
                    "-out", os.path.join(work, "cert.pem")], check=True, capture_output=True)
    with open(pem, "w") as out:
        out.write(open(os.path.join(work, "cert.pem")).read() + open(os.path.join(work, "key.pem")).read())
    return pem


def start_server(command, work, tls_cert, args):
    binary, *extra = command.split()
    data = tempfile.mkdtemp(prefix="data-", dir=work)
    # wrk's connections and the probe all come from 127.0.0.1: the per-client limit must let them in.
    cmd = ["taskset", "-c", args.server_cpus, binary, "--dir", data, "--records", str(args.records),
           "--max-connections-per-client", str(args.connections + 10)]
    if tls_cert:
        cmd += ["--tls-cert", tls_cert]
    cmd += extra
    log = open(os.path.join(work, "server.log"), "a")  # the access log of every request
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True)
    line = proc.stdout.readline()
    if not line:
        raise RuntimeError(f"{binary} did not start (exit {proc.wait()})")
    return proc, json.loads(line), data


def stop_server(proc, data):
    proc.stdin.close()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    shutil.rmtree(data, ignore_errors=True)


def wrk(url, headers, args, script):
    cmd = ["taskset", "-c", args.client_cpus, "wrk", "-t", str(args.wrk_threads), "-c", str(args.connections),
           "-d", f"{args.seconds}s", "--timeout", "10s", "-s", script]
    for h in headers:
        cmd += ["-H", h]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=args.seconds + 60).stdout
    report = json.loads(out.strip().splitlines()[-1])
    seconds = report["duration_us"] / 1e6
    report["requests_per_s"] = report["requests"] / seconds if seconds else 0.0
    report["errors"] = sum(report[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors",
                                               "timeouts"))
    return report


class Probe(threading.Thread):
    """A new client during the load: opens a fresh connection every 250 ms and times
    GET /healthz until the answer, as a monitoring system would (issue 12: starvation)."""

    def __init__(self, port, tls):
        super().__init__(daemon=True)
        self.port, self.tls = port, tls
        self.latencies_ms, self.failures = [], 0
        self.done = threading.Event()
        self.ctx = ssl.create_default_context()
        self.ctx.check_hostname, self.ctx.verify_mode = False, ssl.CERT_NONE

    def once(self):
        start = time.perf_counter()
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as raw:
            conn = self.ctx.wrap_socket(raw) if self.tls else raw
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
        if not data.startswith(b"HTTP/1.1 200"):
            raise OSError("not 200")
        return (time.perf_counter() - start) * 1000

    def run(self):
        while not self.done.wait(0.25):
            try:
                self.latencies_ms.append(self.once())
            except (OSError, ssl.SSLError):
                self.failures += 1

    def report(self):
        self.done.set()
        self.join()
        lat = sorted(self.latencies_ms)
        return {"probes": len(lat) + self.failures, "probe_failures": self.failures,
                "probe_p50_ms": lat[len(lat) // 2] if lat else None, "probe_max_ms": lat[-1] if lat else None}


def endpoints(info, args):
    keeper = f"Authorization: Bearer {info['keeper_token']}"
    listener = f"Authorization: Bearer {info['listener_token']}"
    out = [("metrics", "/metrics", []),
           ("new_connection", "/healthz", ["Connection: close"]),
           ("query", "/api/v1/recordings?number=%2B48601200042&limit=50", [keeper]),
           ("audio_1mib", "/bench/audio", [])]
    if args.playback:
        out.append(("playback", f"/api/v1/recordings/{info['audio_id']}/audio",
                    [listener, "Range: bytes=0-1048575"]))
    return out


def median_of(rounds, key):
    return statistics.median(r[key] for r in rounds)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", action="append", required=True,
                        help="NAME=BINARY [server options], e.g. 'pool64=http_bench_server --workers 64' (repeatable)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--schemes", default="plain,tls")
    parser.add_argument("--playback", action="store_true", help="also the real audio route (register fsync)")
    parser.add_argument("--server-cpus", default="0")
    parser.add_argument("--client-cpus", default="1")
    args = parser.parse_args()
    for tool in ("wrk", "taskset", "openssl"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} not installed")
            return 77
    servers = [s.split("=", 1) for s in args.server]
    os.sched_setaffinity(0, {int(c) for c in args.client_cpus.split(",")})  # the probe is a client too
    work = tempfile.mkdtemp(prefix="kronika-http-bench-")
    script = os.path.join(work, "report.lua")
    with open(script, "w") as f:
        f.write(WRK_REPORT)
    cert = make_certificate(work)
    results = {name: {} for name, _ in servers}
    try:
        for round_no in range(args.rounds):
            order = servers if round_no % 2 == 0 else list(reversed(servers))
            for name, binary in order:
                for scheme in args.schemes.split(","):
                    proc, info, data = start_server(binary, work, cert if scheme == "tls" else None, args)
                    try:
                        base = f"{'https' if scheme == 'tls' else 'http'}://127.0.0.1:{info['port']}"
                        for endpoint, path, headers in endpoints(info, args):
                            probe = Probe(info["port"], scheme == "tls")
                            probe.start()
                            report = wrk(base + path, headers, args, script)
                            report.update(probe.report())
                            report["load_average"] = os.getloadavg()[0]
                            results[name].setdefault(scheme, {}).setdefault(endpoint, []).append(report)
                            print(f"round {round_no + 1} {name:8} {scheme:5} {endpoint:10} "
                                  f"{report['requests_per_s']:9.0f} req/s  p50 {report['p50_us'] / 1000:7.2f} ms  "
                                  f"p99 {report['p99_us'] / 1000:7.2f} ms  errors {report['errors']}  "
                                  f"probe p50 {report['probe_p50_ms'] or 0:6.1f} ms max {report['probe_max_ms'] or 0:7.1f} ms "
                                  f"failed {report['probe_failures']}/{report['probes']}  "
                                  f"load {report['load_average']:.1f}", flush=True)
                    finally:
                        stop_server(proc, data)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary = {}
    for name, schemes in results.items():
        for scheme, by_endpoint in schemes.items():
            for endpoint, rounds in by_endpoint.items():
                summary.setdefault(name, {}).setdefault(scheme, {})[endpoint] = {
                    "requests_per_s": median_of(rounds, "requests_per_s"),
                    "p50_ms": median_of(rounds, "p50_us") / 1000,
                    "p99_ms": median_of(rounds, "p99_us") / 1000,
                    "errors": sum(r["errors"] for r in rounds),
                    "probe_p50_ms": statistics.median(r["probe_p50_ms"] for r in rounds if r["probe_p50_ms"])
                    if any(r["probe_p50_ms"] for r in rounds) else None,
                    "probe_max_ms": max((r["probe_max_ms"] or 0) for r in rounds),
                    "probe_failures": sum(r["probe_failures"] for r in rounds),
                    "rounds": rounds,
                }
    with open(args.out, "w") as f:
        json.dump({"connections": args.connections, "seconds": args.seconds, "rounds": args.rounds,
                   "records": args.records, "cpus": os.cpu_count(), "finished_utc": time.strftime(
                       "%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "servers": summary}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
