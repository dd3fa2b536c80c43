#!/usr/bin/env python3
"""Issue 15 item 5: GET /readyz beside GET /healthz, against the real daemon.

1. A node that is up: /readyz 200 "ready" with its five checks (store writable, disk above
   media.min_free_disk_mb, media workers alive, no thread failed after a fault, SIP bound)
   each ok, and kronika_ready{check} 1 for each in /metrics; every named thread's
   kronika_thread_faults_total{thread} is exported at 0.
2. A node whose recordings file system is below media.min_free_disk_mb (set above any real
   disk): alive (/healthz 200) but not ready: /readyz 503 naming the disk and the threshold,
   kronika_ready{check="disk"} 0, the other checks still ok; an SBC's INVITE there would get
   503, so a balancer must not send it one.
"""
import json
import os
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import Kronika, metric_value  # noqa: E402

CHECKS = {"store", "disk", "media", "threads", "sip"}
# Threads named at start whose fault counters must be there (at 0) before any fault.
THREADS = ["kr-store-wr", "kr-finisher", "kr-media-0", "kr-admin", "kr-sip"]  # no sweeper: no site policy here


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def main():
    failures = []

    def check(cond, what):
        print(("ok   " if cond else "FAIL ") + what, flush=True)
        if not cond:
            failures.append(what)

    nodes = []
    try:
        node = Kronika()
        nodes.append(node)
        node.start()
        base = f"http://127.0.0.1:{node.http_port}"
        status, body = get(base + "/readyz")
        ready = json.loads(body)
        check(status == 200 and ready["status"] == "ready", f"/readyz 200 ready ({status} {body})")
        check(set(ready["checks"]) == CHECKS and all(c["ok"] for c in ready["checks"].values()),
              f"/readyz checks store, disk, media, threads, sip, all ok ({ready['checks']})")
        check(node.sip_addr.split(":")[-1] in ready["checks"]["sip"]["detail"], "the sip check names the address")
        metrics = node.metrics()
        for name in sorted(CHECKS):
            v = metric_value(metrics, "kronika_ready", {"check": name})
            check(v == 1, f'kronika_ready{{check="{name}"}} 1 ({v})')
        for thread in THREADS:
            v = metric_value(metrics, "kronika_thread_faults_total", {"thread": thread})
            check(v == 0, f'kronika_thread_faults_total{{thread="{thread}"}} 0 ({v})')
            v = metric_value(metrics, "kronika_thread_failed", {"thread": thread})
            check(v == 0, f'kronika_thread_failed{{thread="{thread}"}} 0 ({v})')

        full = Kronika(config="[media]\nmin_free_disk_mb = 10000000\n")
        nodes.append(full)
        full.start()
        base = f"http://127.0.0.1:{full.http_port}"
        status, _ = get(base + "/healthz")
        check(status == 200, f"below the disk threshold the node is alive: /healthz 200 ({status})")
        status, body = get(base + "/readyz")
        verdict = json.loads(body)
        check(status == 503 and verdict["status"] == "not_ready", f"/readyz 503 not_ready ({status} {body})")
        disk = verdict["checks"]["disk"]
        check(not disk["ok"] and "10000000 MiB" in disk["detail"] and "min_free_disk_mb" in disk["detail"],
              f"the disk check says how much is free against which threshold ({disk})")
        check(all(verdict["checks"][n]["ok"] for n in CHECKS - {"disk"}), "the other checks stay ok")
        metrics = full.metrics()
        check(metric_value(metrics, "kronika_ready", {"check": "disk"}) == 0, 'kronika_ready{check="disk"} 0')
        check(metric_value(metrics, "kronika_ready", {"check": "sip"}) == 1, 'kronika_ready{check="sip"} 1')
    finally:
        for n in nodes:
            n.stop()
    if failures:
        for n in nodes:
            print(n.log_tail(1500))
        return 1
    print("readyz checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
