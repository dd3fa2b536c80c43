#!/usr/bin/env python3
"""Webhook delivery on loopback (issue 17): latency from an event's commit to the receiver
having it, and the events per second one endpoint sustains.

Starts `kronika serve` with one [[webhooks]] endpoint pointing at a local HTTPS receiver (the
Python one of tests/integration/events, answering 204, keep-alive, signature checked), then:

- latency: --latency-events events appended one by one, --rate per second; for each, the
  receiver's arrival time minus the event's time (stamped just before its mdb_load commit,
  so the figure includes that process's start, ~5 ms, and the deliverer's outbox poll,
  50 ms when nothing wakes it);
- throughput: --burst events appended in one transaction; events/s between the first and the
  last arrival, and the CPU the delivery thread (kr-webhook-0) used per event: when that share
  is well below one core the receiver, not the daemon, sets the rate.

    KRONIKA_BIN=build/srs/kronika python3 bench/webhook_bench.py --out /tmp/webhook_bench.json
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SOURCE / "tests" / "integration"))
sys.path.insert(0, str(SOURCE / "tests" / "integration" / "events"))
import harness as h  # noqa: E402
from events_util import Receiver, append_events, make_cert  # noqa: E402

SECRET = b"bench-secret-0123456789"


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--latency-events", type=int, default=300)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--burst", type=int, default=5000)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="kronika-webhook-bench-")
    cert, key = make_cert(work)
    receiver = Receiver(cert, key, {"/bench": SECRET})
    node = h.Kronika(work=os.path.join(work, "node"), config=f"""
[[webhooks]]
name = "bench"
url = "{receiver.url('/bench')}"
secret = "{SECRET.decode()}"
ca_file = "{cert}"
""")
    env = os.path.join(node.data_dir, "db")
    try:
        node.start()
        # Latency, paced.
        stamped = {}
        for i in range(args.latency_events):
            t = time.time()
            [event_id] = append_events(env, [{"type": "recording.finished", "recording_id": f"l{i}",
                                              "time_ms": int(t * 1000)}])
            stamped[event_id] = t
            time.sleep(max(0.0, 1.0 / args.rate - (time.time() - t)))
        h.wait_for("the paced events", lambda: len(receiver.delivered("/bench")) >= args.latency_events, timeout=60)
        arrivals = {r["headers"]["kronika-event-id"]: r["at"] for r in receiver.all("/bench") if r["status"] < 300}
        latency_ms = [(arrivals[i] - t) * 1000 for i, t in stamped.items()]
        # Throughput, one burst.
        before = len(receiver.all("/bench"))
        cpu_before = h.thread_cpu_seconds(node.proc.pid).get("kr-webhook-0", 0.0)
        events = [{"type": "recording.finished", "recording_id": f"b{i}", "data": {"verdict": "complete"},
                   "personal": {"numbers": ["+48221234567"]}} for i in range(args.burst)]
        append_events(env, events)
        h.wait_for("the burst", lambda: len(receiver.delivered("/bench")) >= args.latency_events + args.burst,
                   timeout=600)
        burst = receiver.all("/bench")[before:]
        cpu_burst = h.thread_cpu_seconds(node.proc.pid).get("kr-webhook-0", 0.0) - cpu_before
        span = burst[-1]["at"] - burst[0]["at"]
        verified = all(r["verified"] for r in receiver.all("/bench"))
    finally:
        node.stop()
        receiver.close()
    commit = subprocess.run(["git", "-C", str(SOURCE), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    report = {
        "commit": commit,
        "latency_ms": {"events": len(latency_ms), "rate_per_s": args.rate,
                       "p50": round(statistics.median(latency_ms), 2), "p99": round(percentile(latency_ms, 99), 2),
                       "max": round(max(latency_ms), 2)},
        "throughput": {"events": args.burst, "seconds": round(span, 3),
                       "events_per_s": round((len(burst) - 1) / span, 1) if span > 0 else None,
                       # CPU of the endpoint's delivery thread per event: what the daemon
                       # spends; the rest of the time the thread waits for the receiver.
                       "deliverer_cpu_us_per_event": round(cpu_burst / args.burst * 1e6, 1),
                       "deliverer_cpu_share": round(cpu_burst / span, 3) if span > 0 else None},
        "all_signatures_verified": verified,
        "receiver": "Python ThreadingHTTPServer + ssl on loopback (tests/integration/events/events_util.py)",
    }
    with open(args.out, "w") as f:
        json.dump(report, f, indent=2)
    print(json.dumps(report, indent=2))
    return 0 if verified else 1


if __name__ == "__main__":
    sys.exit(main())
