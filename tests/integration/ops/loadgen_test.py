#!/usr/bin/env python3
"""kronika-loadgen against a real `kronika serve`: every session it starts is answered,
held/updated as planned and ended, and the server accepts exactly the RTP packets the
load generator reports sent (the basis of the capacity bench's exact loss figure)."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import Kronika, free_udp_tcp_port, sanitizer_report  # noqa: E402

LOADGEN = os.path.join(os.environ.get("KRONIKA_BUILD", "build"), "interop/kronika-loadgen")


def main():
    node = Kronika(rtp_ports=200)
    failures = []
    try:
        node.start()
        report_path = os.path.join(node.work, "loadgen.json")
        run = subprocess.run(
            [LOADGEN, "--target", f"127.0.0.1:{node.sip_port}", "--local", f"127.0.0.1:{free_udp_tcp_port()}",
             "--rtp-port-base", str(free_udp_tcp_port()), "--calls", "20", "--total", "30", "--rate", "40",
             "--duration", "2-3", "--hold", "0.5", "--update", "0.5", "--json", report_path],
            capture_output=True, text=True, timeout=120)
        if (report_text := sanitizer_report(run.stderr)) is not None:  # the TSan build
            print(f"FAIL: kronika-loadgen exit {run.returncode} with a sanitizer report:\n{report_text}")
            return 1
        report = json.load(open(report_path))
        time.sleep(1.0)  # last packets drained
        if run.returncode != 0:
            failures.append(f"loadgen exit {run.returncode}: {run.stderr[-500:]}")
        if report["completed"] != 30 or report["failures_by_code"] or report["mid_call_failures"]:
            failures.append(f"sessions: {json.dumps(report)}")
        if report["holds"] < 5 or report["metadata_updates"] < 5:
            failures.append(f"hold/update mix not exercised: holds={report['holds']} updates={report['metadata_updates']}")
        sent = report["rtp"]["packets_sent"]
        accepted = node.metric("kronika_rtp_packets_total")
        started = node.metric("kronika_sessions_started_total")
        if sent < 30 * 2 * 50:  # 30 calls, 2 legs, >= 1 s of 50 packets/s unpaused each
            failures.append(f"too few packets sent: {sent}")
        if accepted != sent:
            failures.append(f"server accepted {accepted} RTP packets, loadgen sent {sent}")
        if started != 30:
            failures.append(f"server started {started} sessions, expected 30")
    finally:
        node.stop()
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures) + "\n--- kronika log ---\n" + node.log_tail())
        return 1
    print(f"OK: 30 sessions, {sent} RTP packets sent and accepted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
