#!/usr/bin/env python3
"""Two Kronika nodes (127.0.0.2, 127.0.0.3) behind Kamailio's dispatcher (127.0.0.1).

Sessions are spread over both nodes; after node A is killed (SIGKILL, as a crash would),
the OPTIONS probe marks it inactive and every new session lands on node B, answered fast
(no SIP timeout on the dead node). Config under test: interop/kamailio/kamailio-dispatcher.cfg.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import SOURCE, Kronika, free_udp_tcp_port, make_tone_wav, wait_for  # noqa: E402

SCENARIO = os.path.join(SOURCE, "tests/integration/ops/uac-short-call.xml")
TEMPLATE = os.path.join(SOURCE, "interop/kamailio/kamailio-dispatcher.cfg")


def run_calls(work, proxy_port, count):
    """`count` SIPREC sessions through the proxy, one at a time; returns (ok, seconds)."""
    started = time.time()
    result = subprocess.run(
        ["sipp", "-sf", SCENARIO, "-m", str(count), "-l", "1", "-r", "5", "-i", "127.0.0.1",
         "-p", str(free_udp_tcp_port()), "-timeout", "60s", "-timeout_error", "-nostdin",
         "-trace_err", "-error_file", os.path.join(work, "sipp-errors.log"),
         f"127.0.0.1:{proxy_port}"], cwd=work, capture_output=True, text=True)
    return result.returncode == 0, time.time() - started, result.stdout[-800:]


def started_sessions(node):
    return node.metric("kronika_sessions_started_total") or 0


def main():
    for tool in ("kamailio", "sipp", "sox"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} not installed (Debian packages kamailio, sip-tester, sox)")
            return 77
    work = tempfile.mkdtemp(prefix="kronika-scaleout-")
    make_tone_wav(os.path.join(work, "tone.wav"))
    node_a = Kronika(sip_host="127.0.0.2", work=os.path.join(work, "a"))
    node_b = Kronika(sip_host="127.0.0.3", work=os.path.join(work, "b"))
    proxy_port = free_udp_tcp_port()
    kamailio = None
    failures = []
    try:
        node_a.start()
        node_b.start()
        ds_list = os.path.join(work, "dispatcher.list")
        with open(ds_list, "w") as f:
            f.write(f"1 sip:127.0.0.2:{node_a.sip_port}\n1 sip:127.0.0.3:{node_b.sip_port}\n")
        cfg = os.path.join(work, "kamailio.cfg")
        with open(TEMPLATE) as src, open(cfg, "w") as dst:
            dst.write(src.read().replace("@LISTEN@", f"127.0.0.1:{proxy_port}")
                      .replace("@DISPATCHER_LIST@", ds_list))
        kamailio = subprocess.Popen(
            ["kamailio", "-DD", "-E", "-f", cfg, "-P", os.path.join(work, "kamailio.pid"),
             "-Y", work], stdout=open(os.path.join(work, "kamailio.log"), "w"), stderr=subprocess.STDOUT)
        time.sleep(2.5)  # first OPTIONS probes

        ok, _, out = run_calls(work, proxy_port, 4)
        a_before, b_before = started_sessions(node_a), started_sessions(node_b)
        if not ok:
            failures.append(f"calls through the proxy failed with both nodes up: {out}")
        if a_before < 1 or b_before < 1:
            failures.append(f"round-robin should reach both nodes: A={a_before} B={b_before}")

        node_a.stop(signal.SIGKILL)
        time.sleep(3)  # probes at 1 s: A is marked inactive after the first failed one

        ok, seconds, out = run_calls(work, proxy_port, 6)
        b_after = started_sessions(node_b)
        if not ok:
            failures.append(f"calls failed after node A died: {out}")
        if b_after - b_before != 6:
            failures.append(f"node B should take all 6 new sessions, took {b_after - b_before}")
        # Each call lasts ~2.5 s and they run one at a time at 5/s: 6 calls ~ 15 s. A call
        # sent to the dead node would first wait for the 1 s transaction timeout.
        if seconds > 6 * 2.5 + 5:
            failures.append(f"6 calls took {seconds:.1f} s: some waited for the dead node")
    finally:
        if kamailio:
            kamailio.terminate()
            try:
                kamailio.wait(10)
            except subprocess.TimeoutExpired:
                kamailio.kill()
        node_a.stop()
        node_b.stop()
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        print("--- kamailio log ---\n" + open(os.path.join(work, "kamailio.log")).read()[-3000:])
        print("--- node B log ---\n" + node_b.log_tail())
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print("OK: sessions spread over two nodes; after node A died all new sessions went to B")
    return 0


if __name__ == "__main__":
    sys.exit(main())
