#!/usr/bin/env python3
"""Issue 17 item 4: `kronika events`, the events outbox on the command line.

1. Without a daemon, on a data dir with events (committed by kronika-test-append-event):
   --json prints one JSON object per line (JSON Lines), in sequence order, with the
   personal part; the human form shows the Warsaw wall-clock time, sequence, type and
   recording id ("-" for a node event); --after and --limit page; nothing after: exit 1;
   a bad --limit: exit 2 naming it.
2. Beside a running daemon (read-only, no lock): --follow --json prints the events there,
   then an event committed after it started, within a second; SIGTERM and SIGINT end it
   with exit 0.
"""
import datetime
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import BIN, Kronika, append_event, wait_for  # noqa: E402

APPEND = os.environ.get("KRONIKA_APPEND_EVENT", "")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def kronika(*args):
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=30)


class Lines:
    """proc's stdout lines, read by a thread: next() waits up to `timeout` s for one."""

    def __init__(self, proc):
        self.queue = queue.Queue()
        threading.Thread(target=self._read, args=(proc.stdout,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            self.queue.put(line)

    def next(self, timeout):
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None


def follow_checks(node, data, sig):
    proc = subprocess.Popen([str(BIN), "events", "--follow", "--json", "--data-dir", data],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
    lines = Lines(proc)
    try:
        seen, there = [], last_seq(data)
        while not seen or seen[-1] < there:
            line = lines.next(5)
            if not line:
                break
            seen.append(json.loads(line)["seq"])
        check(seen == list(range(1, len(seen) + 1)) and len(seen) >= 3,
              f"{sig.name}: --follow prints the events already there, in order ({seen})")
        t0 = time.monotonic()
        new = append_event(data, 1, rec="rec-follow")
        line = lines.next(5)
        elapsed = time.monotonic() - t0
        event = json.loads(line) if line else {}
        check(event.get("seq") == new and event.get("recording_id") == "rec-follow" and elapsed < 1.5,
              f"{sig.name}: ... and one committed after it started, {elapsed:.2f} s later ({event})")
        proc.send_signal(sig)
        code = proc.wait(10)
        check(code == 0, f"{sig.name} ends --follow with exit 0 (got {code}: {proc.stderr.read().strip()})")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def last_seq(data):
    r = kronika("events", "--json", "--limit", "1000", "--data-dir", data)
    lines = r.stdout.splitlines()
    return json.loads(lines[-1])["seq"] if lines else 0


def main():
    if not APPEND or not os.path.exists(APPEND):
        print("SKIP: kronika-test-append-event not built (ninja -C build kronika-test-append-event)")
        return 77
    node = Kronika()
    data = node.data_dir
    node.init_data_dir()
    try:
        r = kronika("events", "--data-dir", data)
        check(r.returncode == 1 and r.stdout == "" and "no events" in r.stderr,
              f"no events yet: exit 1, a note on stderr ({r.returncode} {r.stderr.strip()})")
        append_event(data, 3)
        append_event(data, 1, rec="", kind="node.ready")

        r = kronika("events", "--json", "--data-dir", data)
        lines = r.stdout.splitlines()
        try:
            events = [json.loads(line) for line in lines]
        except ValueError:
            events = []
        check(r.returncode == 0 and [e["seq"] for e in events] == [1, 2, 3, 4],
              f"--json: four lines, each a JSON object, in sequence order ({r.returncode} {lines})")
        check(all(e["id"] == f"kr-test-{e['seq']}" for e in events) and events[0]["recording_id"] == "rec-1"
              and events[0]["personal"] == {"numbers": ["+48221234567"]} and events[3]["recording_id"] is None
              and events[3]["type"] == "node.ready",
              f"... the event objects of docs/api.md, personal part included ({events[:1]})")

        r = kronika("events", "--data-dir", data)
        lines = r.stdout.splitlines()
        check(r.returncode == 0 and len(lines) == 4 and "recording.finished" in lines[0]
              and "rec-1" in lines[0] and lines[0].split()[3] == "1" and lines[3].split()[-1] == "-",
              f"human form: time, seq, type, recording id ({lines})")
        # The Warsaw wall clock: UTC+1 as CET, UTC+2 as CEST (whatever the season the test runs in).
        utc = datetime.datetime.strptime(events[0]["time"][:19], "%Y-%m-%dT%H:%M:%S")
        shown = lines[0].split()
        local = datetime.datetime.strptime(shown[0] + " " + shown[1], "%Y-%m-%d %H:%M:%S")
        offset = {"CET": 1, "CEST": 2}.get(shown[2])
        check(offset is not None and local - utc == datetime.timedelta(hours=offset),
              f"... the time on the Europe/Warsaw clock ({shown[:3]} for {events[0]['time']})")

        r = kronika("events", "--json", "--after", "1", "--limit", "2", "--data-dir", data)
        check(r.returncode == 0 and [json.loads(x)["seq"] for x in r.stdout.splitlines()] == [2, 3],
              f"--after 1 --limit 2: events 2 and 3 ({r.stdout.strip()})")
        r = kronika("events", "--after", "4", "--data-dir", data)
        check(r.returncode == 1 and r.stdout == "", f"--after 4: nothing, exit 1 ({r.returncode})")
        r = kronika("events", "--limit", "0", "--data-dir", data)
        check(r.returncode == 2 and "--limit" in r.stderr, f"--limit 0: exit 2 naming --limit ({r.stderr.strip()})")

        before = last_seq(data)
        node.start()
        # The daemon's own node.ready comes once it serves: wait for it, so that the event
        # each --follow check commits is the next one it prints.
        wait_for("node.ready", lambda: last_seq(data) > before, timeout=10)
        follow_checks(node, data, signal.SIGTERM)
        follow_checks(node, data, signal.SIGINT)
    finally:
        node.stop()
    if failures:
        print(node.log_tail(3000))
        return 1
    print("kronika events checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
