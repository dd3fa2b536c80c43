#!/usr/bin/env python3
"""Issue 12 item 4: slow or idle HTTP clients cannot starve /metrics and /healthz.

Against the real daemon:
1. 50 slow clients, each from its own loopback address (127.0.0.2 ... 127.0.0.51), send a
   request line and then one header line per second and never finish. While they hang,
   /metrics and /healthz (fresh connections from 127.0.0.1, every 200 ms) keep answering
   200 fast. (Before libmicrohttpd, four such clients made both time out.)
2. The slow clients are cut off once their headers are late (header timeout, 5 s), and
   kronika_http_header_timeouts_total counts them.
3. 50 slow clients from ONE address: at most 32 are let in (per-client limit), and /metrics
   from another address still answers.
"""
import os
import socket
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import Kronika  # noqa: E402

HEADER_TIMEOUT_S = 5
FAST_S = 1.0  # an answer slower than this while the slow clients hang is a failure


class SlowClient(threading.Thread):
    """Sends a request line, then one header line per second, until the server closes."""

    def __init__(self, port, source):
        super().__init__(daemon=True)
        self.port, self.source = port, source
        self.connected = False
        self.closed_after_s = None  # when the server closed the connection
        self.stop = threading.Event()

    def run(self):
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5, source_address=(self.source, 0))
        except OSError:
            return
        start = time.monotonic()
        try:
            sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            sock.settimeout(1.0)
            n = 0
            while not self.stop.is_set():
                try:
                    data = sock.recv(4096)
                    if not data:  # closed by the server (a refused connection closes at once)
                        break
                    continue
                except socket.timeout:
                    pass
                self.connected = True
                n += 1
                sock.sendall(f"X-Slow-{n}: {n}\r\n".encode())
        except OSError:  # reset by the server
            pass
        finally:
            self.closed_after_s = time.monotonic() - start
            sock.close()


def get(port, path):
    start = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
        r.read()
        return r.status, time.monotonic() - start


def probe(port, seconds):
    """GET /metrics and /healthz on fresh connections every 200 ms: statuses and latencies."""
    results = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for path in ("/metrics", "/healthz"):
            try:
                results.append((path,) + get(port, path))
            except OSError as e:
                results.append((path, str(e), 10.0))
        time.sleep(0.2)
    return results


def metric(text, name):
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def main():
    failures = []

    def check(cond, what):
        print(("ok   " if cond else "FAIL ") + what, flush=True)
        if not cond:
            failures.append(what)

    node = Kronika()
    try:
        node.start()
        port = node.http_port

        # 1 + 2: 50 slow clients from 50 addresses.
        clients = [SlowClient(port, f"127.0.0.{i}") for i in range(2, 52)]
        for c in clients:
            c.start()
        time.sleep(1.5)
        results = probe(port, HEADER_TIMEOUT_S - 2)
        hanging = sum(1 for c in clients if c.connected and c.closed_after_s is None)
        check(hanging >= 45, f"{hanging} of 50 slow clients are connected and hanging while probed")
        bad = [r for r in results if r[1] != 200 or r[2] > FAST_S]
        worst = max(r[2] for r in results)
        check(results and not bad,
              f"/metrics and /healthz answered 200 within {FAST_S} s while 50 slow clients hang "
              f"({len(results)} probes, slowest {worst * 1000:.0f} ms, bad {bad[:3]})")
        for c in clients:
            c.join(timeout=HEADER_TIMEOUT_S + 5)
        cut = [c.closed_after_s for c in clients if c.closed_after_s is not None]
        check(len(cut) == 50 and max(cut) < HEADER_TIMEOUT_S + 3,
              f"every slow client is cut off after the {HEADER_TIMEOUT_S} s header timeout "
              f"({len(cut)} closed, latest after {max(cut or [0]):.1f} s)")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
            text = r.read().decode()
        timeouts = metric(text, "kronika_http_header_timeouts_total")
        check(timeouts is not None and timeouts >= 50, f"kronika_http_header_timeouts_total counts them ({timeouts})")

        # 3: 50 slow clients from one address.
        same = [SlowClient(port, "127.0.0.99") for _ in range(50)]
        for c in same:
            c.start()
        time.sleep(2)
        let_in = sum(1 for c in same if c.closed_after_s is None)
        check(let_in <= 32, f"at most 32 connections from one address are let in ({let_in} of 50)")
        results = probe(port, 2)
        bad = [r for r in results if r[1] != 200 or r[2] > FAST_S]
        check(results and not bad, f"/metrics and /healthz still answer from another address (bad {bad[:3]})")
        for c in same:
            c.stop.set()
            c.join(timeout=5)
    finally:
        node.stop()
    if failures:
        print(node.log_tail(2000))
        return 1
    print("slow-client checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
