#!/usr/bin/env python3
"""Another process grows the LMDB map while the daemon writes (issue 13 "done when", issue 15
finding: `kronika hold` grew the map, the daemon's writer failed with MDB_MAP_RESIZED, the
store turned unhealthy and INVITEs got 503).

The daemon runs with a 4 MiB map. While SIPp places calls, mdb_load (lmdb-utils) - a
process that is not the owner and ignores the data dir's lock, like an older build or an
operator's tool - opens the same environment with a 256 MiB map and writes ~40 MiB into a
table of its own, so the file grows far past the daemon's mapping. Checks: no call is
refused (SIPp counts no failed call, kronika_sessions_rejected_total{reason="store"} stays
0), the store stays healthy, the daemon logs that it adopted the new size, and calls made
after the growth are stored.
"""
import json
import os
import shutil
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import BIN, SOURCE, Kronika, free_udp_tcp_port, make_tone_wav, wait_for  # noqa: E402

SCENARIO = os.path.join(SOURCE, "tests/integration/ops/uac-short-call.xml")
failures = []
FILLER_ROWS = 10000
FILLER_BYTES = 4000


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def stored(data):
    r = subprocess.run([BIN, "query", "--data-dir", data, "--json", "--limit", "1000"], capture_output=True, text=True)
    if r.returncode != 0:
        return []
    body = json.loads(r.stdout)
    return body if isinstance(body, list) else body.get("recordings", [])


def grow(env, dump_path):
    """mdb_load with a header asking for a 256 MiB map: ~40 MiB of rows in test.filler."""
    with open(dump_path, "w") as f:
        f.write("VERSION=3\nformat=bytevalue\ntype=btree\nmapsize=268435456\nHEADER=END\n")
        value = (b"y" * FILLER_BYTES).hex()
        for i in range(FILLER_ROWS):
            f.write(" " + f"filler-{i:06d}".encode().hex() + "\n " + value + "\n")
        f.write("DATA=END\n")
    return subprocess.run(["mdb_load", "-f", dump_path, "-s", "test.filler", env], capture_output=True, text=True)


def main():
    for tool in ("sipp", "sox", "mdb_load"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} not installed")
            return 77
    node = Kronika(rtp_ports=40, config="[storage]\nlmdb_map_size_mb = 16\n")
    data = node.data_dir
    make_tone_wav(os.path.join(node.work, "tone.wav"))
    try:
        node.start()
        sipp_result = {}

        def calls():
            r = subprocess.run(["sipp", "-sf", SCENARIO, "-m", "24", "-l", "4", "-r", "2", "-p", str(free_udp_tcp_port()),
                                "-i", "127.0.0.1", "-timeout", "60s", "-timeout_error", "-nostdin",
                                f"127.0.0.1:{node.sip_port}"], cwd=node.work, capture_output=True, text=True)
            sipp_result["code"] = r.returncode
            sipp_result["out"] = r.stdout[-2000:] + r.stderr[-2000:]

        caller = threading.Thread(target=calls)
        caller.start()
        wait_for("calls in progress", lambda: (node.metric("kronika_sessions_started_total") or 0) >= 2, timeout=20)
        loaded = grow(os.path.join(data, "db"), os.path.join(node.work, "filler.dump"))
        check(loaded.returncode == 0, f"mdb_load grew the map from another process ({loaded.stderr.strip()})")
        caller.join(timeout=120)
        check(sipp_result.get("code") == 0, f"every call answered and completed (SIPp exit {sipp_result.get('code')})")
        rejected = node.metric("kronika_sessions_rejected_total", {"reason": "store"}) or 0
        check(rejected == 0, f"no INVITE refused for the store (kronika_sessions_rejected_total{{reason=store}} = {rejected})")
        check(node.metric("kronika_store_healthy") == 1, "the store stays healthy")
        check("adopted the map size another process set" in node.log_text(400000),
              "the daemon adopted the size the other process set")
        check(wait_for("24 recordings stored", lambda: len(stored(data)) >= 24, timeout=30),
              "all 24 recordings stored")
        more = subprocess.run(["sipp", "-sf", SCENARIO, "-m", "2", "-p", str(free_udp_tcp_port()), "-i", "127.0.0.1",
                               "-timeout", "30s", "-timeout_error", "-nostdin", f"127.0.0.1:{node.sip_port}"],
                              cwd=node.work, capture_output=True, text=True)
        check(more.returncode == 0, "calls after the growth are answered")
        check(wait_for("26 recordings stored", lambda: len(stored(data)) >= 26, timeout=30), "and stored")
        check((node.metric("kronika_store_map_size_bytes") or 0) >= 40 << 20,
              f"the daemon maps the grown file ({node.metric('kronika_store_map_size_bytes')})")
    finally:
        node.stop()
    if failures:
        print(sipp_result.get("out", ""))
        print(node.log_text())
        print(f"{len(failures)} check(s) failed")
        return 1
    shutil.rmtree(node.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
