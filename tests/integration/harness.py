"""Shared helpers for integration tests written in Python (stdlib only): free ports,
a running `kronika serve` on its own ports and data dir, polling, metrics reading."""
import os
import re
import socket
import subprocess
import tempfile
import time
import urllib.request

SOURCE = os.environ.get("KRONIKA_SOURCE", os.path.abspath(os.path.join(os.path.dirname(__file__), "../..")))
BIN = os.environ.get("KRONIKA_BIN", os.path.join(SOURCE, "build/srs/kronika"))
SHARED = os.environ.get("KRONIKA_SHARED", os.path.abspath(os.path.join(SOURCE, "../shared")))


def free_port(kind=socket.SOCK_STREAM, host="127.0.0.1"):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def free_udp_tcp_port(host="127.0.0.1"):
    """A port free for both UDP and TCP on host (kronika listens on both)."""
    for _ in range(100):
        port = free_port(socket.SOCK_DGRAM, host)
        try:
            with socket.socket() as s:
                s.bind((host, port))
            return port
        except OSError:
            continue
    raise RuntimeError("no free UDP+TCP port")


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return resp.read().decode()


def wait_for(what, fn, timeout=30, interval=0.2):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            value = fn()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 - keep polling until the deadline
            last = e
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} (last error: {last})")


def metric_value(text, name, labels=None):
    """Sum of the samples of `name` whose labels include `labels` in a /metrics page."""
    total, found = 0.0, False
    for line in text.splitlines():
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)", line)
        if not m or m.group(1) != name:
            continue
        got = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        if labels and any(got.get(k) != v for k, v in labels.items()):
            continue
        total += float(m.group(3))
        found = True
    return total if found else None


class Kronika:
    """`kronika serve` on its own SIP/HTTP/RTP ports and temp data dir."""

    def __init__(self, sip_host="127.0.0.1", rtp_ports=20, extra_args=(), work=None):
        self.work = work or tempfile.mkdtemp(prefix="kronika-it-")
        os.makedirs(self.work, exist_ok=True)
        self.sip_host = sip_host
        self.sip_port = free_udp_tcp_port(sip_host)
        self.http_port = free_port()
        base = 20000 + (os.getpid() * 37 + self.sip_port) % 20000 // 2 * 2
        if base <= self.sip_port < base + rtp_ports:  # kronika refuses a range holding its SIP port
            base = (self.sip_port + 2) // 2 * 2
        self.rtp_range = (base, base + rtp_ports - 1)
        self.data_dir = os.path.join(self.work, "data")
        self.log_path = os.path.join(self.work, f"kronika-{self.sip_port}.log")
        self.args = [BIN, "serve", "--data-dir", self.data_dir,
                     "--sip", f"{sip_host}:{self.sip_port}",
                     "--http", f"127.0.0.1:{self.http_port}",
                     "--rtp-ports", f"{self.rtp_range[0]}-{self.rtp_range[1]}", *extra_args]
        self.proc = None

    def start(self):
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT)
        wait_for(f"kronika on {self.sip_host}:{self.sip_port}", self.ready, timeout=30)
        return self

    def ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"kronika exited with {self.proc.returncode}:\n{self.log_tail()}")
        return "kronika_build_info" in self.metrics()

    def metrics(self):
        return http_get(f"http://127.0.0.1:{self.http_port}/metrics")

    def metric(self, name, labels=None):
        return metric_value(self.metrics(), name, labels)

    def log_tail(self, chars=4000):
        try:
            return open(self.log_path).read()[-chars:]
        except OSError:
            return ""

    def stop(self, sig=None):
        if self.proc and self.proc.poll() is None:
            if sig:
                self.proc.send_signal(sig)
            else:
                self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def make_tone_wav(path, seconds=2, hz=440):
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-e", "u-law", path,
                    "synth", str(seconds), "sine", str(hz)], check=True)
