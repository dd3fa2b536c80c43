#!/usr/bin/env python3
"""Issue 17 item 4: the pull feed of events, GET /api/v1/events, against the real daemon.

Events are committed by a second process (kronika-test-append-event, an LMDB writer beside
the daemon, as the daemon's own state changes will commit them) while the daemon serves.

1. Pages: after/limit give the events in sequence order with last_seq and next_after;
   following next_after reads every event once.
2. Long polling: a call with nothing after `after` returns as soon as an event is committed
   (measured: well before `wait`), and empty at `wait` when none is (wait=12, beyond the
   server's 10 s idle timeout: a parked connection is not closed as idle).
3. Waiting calls hold no worker: 12 long polls (the server has 8 workers) and the recording
   API still answers at once.
4. Roles: records_keeper and auditor read events with their `personal` part, administrator
   without it; listener and approver 403, no token 401.
5. Bad parameters: 400 naming the parameter.
6. SIGTERM while a long poll waits: the poll is answered (empty, or with the daemon's
   node.draining when it saw that first) and the daemon exits 0. The daemon's own node.ready
   is the first event (seq 1): the events this test commits follow it.
"""
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import BIN, Kronika, append_event, wait_for  # noqa: E402

APPEND = os.environ.get("KRONIKA_APPEND_EVENT", "")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def kronika(*args):
    return subprocess.run([str(BIN), *args], capture_output=True, text=True)


class Api:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"

    def get(self, path, token=None, timeout=90):
        req = urllib.request.Request(self.base + path)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")


def main():
    if not APPEND or not os.path.exists(APPEND):
        print("SKIP: kronika-test-append-event not built (ninja -C build kronika-test-append-event)")
        return 77
    node = Kronika()
    data = node.data_dir
    node.init_data_dir()
    tok = {}
    for user, role in (("jan", "records_keeper"), ("root", "administrator"), ("olga", "auditor"),
                       ("anna", "listener"), ("ewa", "approver")):
        r = kronika("user", "add", user, "--role", role, "--name", user.title(), "--surname", "Test",
                    "--position", role, "--data-dir", data)
        check(r.returncode == 0, f"kronika user add {user} ({r.stderr.strip()})")
        t = kronika("user", "token", user, "--data-dir", data)
        tok[role] = t.stdout.strip()
    try:
        node.start()
        api = Api(node.http_port)
        keeper = tok["records_keeper"]

        # The daemon's own first event, node.ready, once it serves: B = 1 event before the
        # ones this test commits.
        wait_for("node.ready", lambda: api.get("/api/v1/events", keeper)[1].get("last_seq", 0) >= 1, timeout=10)
        status, body = api.get("/api/v1/events", keeper)
        B = 1
        check(status == 200 and [e["type"] for e in body["events"]] == ["node.ready"] and body["last_seq"] == B
              and body["next_after"] == B, f"a new outbox: 200, the daemon's node.ready only ({status} {body})")

        last = append_event(data, 5)
        check(last == B + 5, f"five events committed beside the daemon (last seq {last})")
        status, body = api.get(f"/api/v1/events?after={B}", keeper)
        seqs = [e["seq"] for e in body.get("events", [])]
        check(status == 200 and seqs == [B + 1, B + 2, B + 3, B + 4, B + 5] and body["last_seq"] == B + 5
              and body["next_after"] == B + 5,
              f"all five in order, last_seq {B + 5}, next_after {B + 5} ({status} {seqs} {body.get('last_seq')})")
        first = body["events"][0]
        check(first["id"] == f"kr-test-{B + 1}" and first["type"] == "recording.finished" and
              first["recording_id"] == "rec-1" and first["data"] == {"test": True} and
              first["personal"] == {"numbers": ["+48221234567"]} and first["time"].endswith("Z"),
              f"an event as docs/api.md shows it, personal part for records_keeper ({first})")

        # Pages of two, following next_after.
        after, pages = B, []
        for _ in range(5):
            status, page = api.get(f"/api/v1/events?after={after}&limit=2", keeper)
            got = [e["seq"] for e in page["events"]]
            if not got:
                break
            pages.append(got)
            after = page["next_after"]
        check(pages == [[B + 1, B + 2], [B + 3, B + 4], [B + 5]] and after == B + 5,
              f"pages of 2 by next_after: {pages}, then {after}")
        status, page = api.get(f"/api/v1/events?after={B + 3}&limit=1000", keeper)
        check([e["seq"] for e in page["events"]] == [B + 4, B + 5], f"after={B + 3}: events {B + 4} and {B + 5}")
        status, page = api.get("/api/v1/events?after=99", keeper)
        check(status == 200 and page["events"] == [] and page["next_after"] == B + 5,
              f"after beyond the outbox: empty, next_after back to its end ({page})")

        # Long poll: an event committed 1 s into a 20 s wait is answered at once.
        result = {}

        def poll():
            t0 = time.monotonic()
            result["answer"] = api.get(f"/api/v1/events?after={B + 5}&wait=20", keeper)
            result["elapsed"] = time.monotonic() - t0

        waiter = threading.Thread(target=poll)
        waiter.start()
        time.sleep(1.0)
        check("answer" not in result, "the long poll waits while nothing is committed")
        append_event(data, 1, rec="rec-6")
        waiter.join(25)
        status, page = result.get("answer", (None, {}))
        elapsed = result.get("elapsed", 99)
        check(status == 200 and [e["seq"] for e in page.get("events", [])] == [B + 6],
              f"the long poll answers with the new event ({status} {page})")
        check(1.0 <= elapsed < 2.5, f"... {elapsed:.2f} s after it began, 1 s after the commit (wait was 20 s)")

        # Times out empty; 12 s is beyond the 10 s idle timeout of connections.
        t0 = time.monotonic()
        status, page = api.get(f"/api/v1/events?after={B + 6}&wait=12", keeper)
        elapsed = time.monotonic() - t0
        check(status == 200 and page == {"events": [], "last_seq": B + 6, "next_after": B + 6},
              f"no event within wait: 200 and an empty page ({status} {page})")
        check(11.9 <= elapsed < 13.5, f"... after the wait, {elapsed:.2f} s of 12")

        # Twelve waiting calls, eight workers: the other routes still answer at once.
        waiters = [threading.Thread(target=api.get, args=(f"/api/v1/events?after={B + 6}&wait=4", keeper))
                   for _ in range(12)]
        for w in waiters:
            w.start()
        time.sleep(0.5)
        t0 = time.monotonic()
        status, _ = api.get("/api/v1/recordings", keeper)
        elapsed = time.monotonic() - t0
        check(status == 200 and elapsed < 1.0,
              f"12 long polls parked, GET /api/v1/recordings answered in {elapsed:.3f} s ({status})")
        for w in waiters:
            w.join(10)

        # Roles.
        status, page = api.get("/api/v1/events?limit=1", tok["auditor"])
        check(status == 200 and "personal" in page["events"][0], f"auditor: 200 with personal ({status})")
        status, page = api.get("/api/v1/events?limit=1", tok["administrator"])
        check(status == 200 and len(page["events"]) == 1 and "personal" not in page["events"][0],
              f"administrator: 200 without the personal part ({status} {page})")
        for role in ("listener", "approver"):
            status, body = api.get("/api/v1/events", tok[role])
            check(status == 403 and "role required" in body["error"]["message"],
                  f"{role}: 403 ({status} {body})")
        status, _ = api.get("/api/v1/events")
        check(status == 401, f"no token: 401 ({status})")
        log = node.run_output()
        check("access: refused GET /api/v1/events for anna" in log, "the refusal is logged with the user")

        # Bad parameters.
        for query, name in (("limit=0", "limit"), ("limit=1001", "limit"), ("limit=x", "limit"),
                            ("after=-1", "after"), ("after=1.5", "after"), ("wait=soon", "wait"),
                            ("wait=-2", "wait")):
            status, body = api.get("/api/v1/events?" + query, keeper)
            message = (body or {}).get("error", {}).get("message", "")
            check(status == 400 and message.startswith(name + ":"), f"{query}: 400 naming {name} ({status} {message})")
        t0 = time.monotonic()
        status, page = api.get("/api/v1/events?after=0&wait=600", keeper)
        check(status == 200 and len(page["events"]) == B + 6 and time.monotonic() - t0 < 1,
              "wait=600 is accepted (capped at 60) and events already there come at once")

        # SIGTERM while a long poll waits: it is answered (empty) and the daemon stops cleanly.
        result.clear()
        waiter = threading.Thread(
            target=lambda: result.update(answer=api.get(f"/api/v1/events?after={B + 6}&wait=30", keeper)))
        waiter.start()
        time.sleep(0.5)
        t0 = time.monotonic()
        code = node.stop()
        waiter.join(10)
        status, page = result.get("answer", (None, {}))
        # Answered empty, or with the daemon's node.draining when the poll saw it first.
        drained = [e["type"] for e in page.get("events", [])] in ([], ["node.draining"])
        check(code == 0 and status == 200 and drained and time.monotonic() - t0 < 5,
              f"SIGTERM during a long poll: answered (empty or node.draining), daemon exit 0 ({code} {status} {page})")
    finally:
        node.stop()
    if failures:
        print(node.log_tail(3000))
        return 1
    print("event feed checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
