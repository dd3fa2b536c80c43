#!/usr/bin/env python3
"""Signed webhooks from the durable outbox (issue 17 items 3 and 5), end to end: the real
`kronika serve` and a real HTTPS receiver (Python, self-signed certificate made by openssl,
trusted through the webhook's ca_file). Events are put into the outbox as the state changes
will (events_util.append_events). Checks:

1. signed and in order: every POST verifies (interop/webhook_receiver.py's verify()), the
   endpoint's events arrive in sequence order with Kronika-Event-Id/-Type matching the body;
   an endpoint gets only the types it asked for; the `personal` part only with personal_data;
2. retries: the receiver fails the first 3 deliveries with 500 and gets the event later, with
   the same event id, and the next event only after it;
3. kill -9 while the receiver fails, restart: the event is delivered with the same id, nothing
   is lost and nothing delivered before is sent again;
4. parking: an event older than max_age is given up, counted, logged, and reported to the other
   endpoints as a webhook.parked event;
5. an endpoint that accepts the connection and never answers does not delay SIP setup
   (INVITE -> 200 OK, compared with the same daemon without webhooks);
6. the sample receiver interop/webhook_receiver.py, run as documented, takes the daemon's
   events and refuses a forged one.
"""
import json
import os
import signal
import ssl
import subprocess
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "sip"))
sys.path.insert(0, os.path.join(HERE, "..", "policy"))
from events_util import Receiver, SilentServer, append_events, last_seq, make_cert  # noqa: E402
from harness import LOOPBACK, SOURCE, Kronika, free_port, skip, wait_for  # noqa: E402
from policy_util import siprec_body  # noqa: E402
from sip_client import Dialog, SipClient  # noqa: E402

failures = []
ARCH_SECRET = b"arch-secret-0123456789"
OPS_SECRET = b"ops-secret-9876543210"
LATE_SECRET = b"late-secret-5555555555"


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def config(receiver, ca, ops_secret_file):
    return f"""
[[webhooks]]
name = "arch"
url = "{receiver.url('/arch')}"
types = ["recording.started", "recording.finished", "hold.placed", "webhook.parked"]
secret = "{ARCH_SECRET.decode()}"
personal_data = true
max_age = "1h"
timeout = "5s"
ca_file = "{ca}"

[[webhooks]]
name = "ops"
url = "{receiver.url('/ops')}"
types = ["recording.finished"]
secret_file = "{ops_secret_file}"
ca_file = "{ca}"

[[webhooks]]
name = "late"
url = "{receiver.url('/late')}"
types = ["hold.placed"]
secret = "{LATE_SECRET.decode()}"
max_age = "2s"
timeout = "2s"
ca_file = "{ca}"
"""


def finished(rid, verdict="complete"):
    return {"type": "recording.finished", "recording_id": rid, "data": {"verdict": verdict},
            "personal": {"numbers": ["+48221234567"]}}


def started(rid):
    return {"type": "recording.started", "recording_id": rid, "data": {}, "personal": {"numbers": ["+48221234567"]}}


def ids_of(events):
    return [e["id"] for e in events]


def start_serving(node, env):
    """Starts `node` and waits for its node.ready event (the daemon's own, appended once it
    serves), so that the rows this test appends with mdb_load come after it."""
    before = last_seq(env)
    node.start()
    wait_for("node.ready in the outbox", lambda: last_seq(env) > before, timeout=10)


def setup_ms(port, n):
    """INVITE -> final response times of `n` calls, one after the other (ACK and BYE each)."""
    out = []
    for i in range(n):
        client = SipClient("udp", LOOPBACK, port)
        try:
            dialog = Dialog(client)
            body, content_type = siprec_body(f"+4822{i:07d}", "200")
            t0 = time.perf_counter()
            responses = dialog.invite(body, content_type)
            elapsed = (time.perf_counter() - t0) * 1000
            final = responses[-1] if responses else None
            if final is None or final.status != 200:
                raise AssertionError(f"call {i}: {final} {final and final.header('warning')}")
            out.append(elapsed)
            dialog.ack(final)
            dialog.bye()
        finally:
            client.close()
    return out


def sample_receiver(work, cert, key):
    """6. interop/webhook_receiver.py as its docstring runs it."""
    port = free_port()
    out_path = os.path.join(work, "sample.out")
    secret = "sample-secret-0123456789"
    with open(out_path, "w") as out:
        proc = subprocess.Popen([sys.executable, os.path.join(SOURCE, "interop", "webhook_receiver.py"), "--cert", cert,
                                 "--key", key, "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "WEBHOOK_SECRET": secret})
    node = Kronika(work=os.path.join(work, "sample"), config=f"""
[[webhooks]]
name = "sample"
url = "https://127.0.0.1:{port}/kronika"
types = ["recording.started", "recording.finished"]
secret = "{secret}"
ca_file = "{cert}"
""")
    try:
        wait_for("the sample receiver", lambda: "listening" in open(out_path).read(), timeout=10)
        start_serving(node, os.path.join(node.data_dir, "db"))
        ids = append_events(os.path.join(node.data_dir, "db"), [finished("s1"), started("s2")])
        def printed():
            return [json.loads(line) for line in open(out_path) if line.startswith("{")]
        wait_for("2 events printed", lambda: len(printed()) >= 2, timeout=20)
        check([e["id"] for e in printed()] == ids, "the sample receiver verified and printed both events in order")
        forged = urllib.request.Request(f"https://127.0.0.1:{port}/kronika", data=b'{"id":"x"}', method="POST",
                                        headers={"Kronika-Timestamp": str(int(time.time())),
                                                 "Kronika-Signature": "v1=" + "0" * 64})
        try:
            urllib.request.urlopen(forged, context=ssl.create_default_context(cafile=cert), timeout=5)
            status = 200
        except urllib.error.HTTPError as e:
            status = e.code
        check(status == 401, f"the sample receiver refuses a forged signature ({status})")
    finally:
        node.stop()
        proc.terminate()
        proc.wait(5)


def main():
    for tool in ("openssl", "mdb_load", "mdb_dump"):
        if not any(os.access(os.path.join(d, tool), os.X_OK) for d in os.environ.get("PATH", "").split(":")):
            skip(f"{tool} not installed")
    work = tempfile.mkdtemp(prefix="kronika-webhook-")
    cert, key = make_cert(work)
    ops_secret_file = os.path.join(work, "ops.secret")
    with open(ops_secret_file, "wb") as f:
        f.write(OPS_SECRET + b"\n")
    os.chmod(ops_secret_file, 0o600)
    receiver = Receiver(cert, key, {"/arch": ARCH_SECRET, "/ops": OPS_SECRET, "/late": LATE_SECRET})
    node = Kronika(work=os.path.join(work, "node"), config=config(receiver, cert, ops_secret_file))
    env = os.path.join(node.data_dir, "db")
    try:
        start_serving(node, env)
        # 1. Signed, in order, filtered, personal data only where allowed.
        sent = append_events(env, [started("r1"), finished("r1"), started("r2"), finished("r2", "partial"),
                                   started("r3"), finished("r3")])
        wait_for("6 events at /arch", lambda: len(receiver.delivered("/arch")) >= 6, timeout=20)
        wait_for("3 events at /ops", lambda: len(receiver.delivered("/ops")) >= 3, timeout=20)
        arch = receiver.delivered("/arch")
        check(ids_of(arch) == sent, f"/arch got every event once, in sequence order ({ids_of(arch)})")
        check([e["seq"] for e in arch] == sorted(e["seq"] for e in arch), "/arch: sequence numbers ascending")
        check(all(r["verified"] for r in receiver.all("/arch") + receiver.all("/ops")),
              "every POST carries a valid signature and a fresh timestamp")
        check(all(r["headers"].get("kronika-event-id") == json.loads(r["body"])["id"]
                  and r["headers"].get("kronika-event-type") == json.loads(r["body"])["type"]
                  and r["headers"].get("content-type") == "application/json"
                  for r in receiver.all("/arch")), "Kronika-Event-Id/-Type match the body; JSON content type")
        check(all(e["personal"]["numbers"] == ["+48221234567"] for e in arch), "/arch (personal_data) gets personal")
        ops = receiver.delivered("/ops")
        check([e["type"] for e in ops] == ["recording.finished"] * 3, "/ops gets only the type it asked for")
        check(ids_of(ops) == [sent[1], sent[3], sent[5]], "/ops: in order")
        check(all("personal" not in e for e in ops), "/ops (no personal_data) gets no personal part")
        check(ops[1]["data"] == {"verdict": "partial"} and ops[1]["recording_id"] == "r2", "the body carries the data")
        check(node.metric("kronika_webhook_delivered_total", {"endpoint": "arch"}) == 6, "delivered_total{arch} 6")
        check(node.metric("kronika_webhook_oldest_undelivered_age_seconds", {"endpoint": "arch"}) == 0,
              "caught up: oldest undelivered age 0")

        # 2. The receiver fails the first 3 deliveries; they come later, same id, in order.
        receiver.fail_next["/arch"] = 3
        retried = append_events(env, [finished("r4"), finished("r5")])
        wait_for("the failed event at /arch", lambda: len(receiver.delivered("/arch")) >= 8, timeout=30)
        tries = receiver.attempts("/arch", retried[0])
        check([r["status"] for r in tries] == [500, 500, 500, 204],
              f"3 failures, then delivered with the same id ({[r['status'] for r in tries]})")
        check(all(r["verified"] for r in tries), "every retry is signed")
        check(ids_of(receiver.delivered("/arch"))[-2:] == retried, "the next event only after the retried one")
        first_r5 = receiver.attempts("/arch", retried[1])[0]["at"]
        check(first_r5 >= tries[-1]["at"], "nothing of the next event was sent while the first was retried")
        check(node.metric("kronika_webhook_failures_total", {"endpoint": "arch"}) == 3, "failures_total{arch} 3")
        check(node.metric("kronika_webhook_retrying", {"endpoint": "arch"}) == 0, "retrying{arch} back to 0")
        check(node.metric("kronika_webhook_delivery_latency_seconds_count", {"endpoint": "arch"}) == 8,
              "the latency histogram counts each delivered event")

        # 3. kill -9 while the receiver fails: after the restart the same id, nothing lost.
        receiver.fail_always.add("/arch")
        [doomed] = append_events(env, [finished("r6")])
        wait_for("a failed attempt of the new event", lambda: receiver.attempts("/arch", doomed), timeout=10)
        check(node.metric("kronika_webhook_retrying", {"endpoint": "arch"}) == 1, "retrying{arch} 1 while it fails")
        wait_for("the age gauge", lambda: node.metric("kronika_webhook_oldest_undelivered_age_seconds",
                                                      {"endpoint": "arch"}) > 0, timeout=5)
        node.stop(signal.SIGKILL)
        receiver.fail_always.discard("/arch")
        before = len(receiver.delivered("/arch"))
        start_serving(node, env)
        wait_for("the event after the restart", lambda: len(receiver.delivered("/arch")) > before, timeout=30)
        time.sleep(1)
        arch = receiver.delivered("/arch")
        check(ids_of(arch)[before:] == [doomed], f"after kill -9: the in-flight event, once ({ids_of(arch)[before:]})")
        check(ids_of(arch) == sent + retried + [doomed], "nothing lost, nothing delivered twice")
        check(len(ids_of(receiver.delivered("/ops"))) == 6, "/ops caught up too (6 recording.finished)")

        # 4. Parking: the endpoint keeps failing past max_age (2 s); the event is parked, logged,
        # counted, and the other endpoints hear of it.
        receiver.fail_always.add("/late")
        [hold] = append_events(env, [{"type": "hold.placed", "recording_id": "r1", "data": {"reason": "case 7"}}])
        wait_for("parked_total{late}", lambda: node.metric("kronika_webhook_parked_total", {"endpoint": "late"}) == 1,
                 timeout=20)
        check(len(receiver.attempts("/late", hold)) >= 2, "retried before parking")
        wait_for("webhook.parked at /arch", lambda: any(e["type"] == "webhook.parked" for e in receiver.delivered("/arch")),
                 timeout=10)
        parked = [e for e in receiver.delivered("/arch") if e["type"] == "webhook.parked"][0]
        check(parked["data"]["endpoint"] == "late" and parked["data"]["event_id"] == hold and
              parked["data"]["event_type"] == "hold.placed" and parked["recording_id"] == "r1",
              f"webhook.parked names the endpoint and the event ({parked['data']})")
        check(f"webhook late: parked event {hold} (hold.placed)" in node.log_text(200000), "the parking is logged")
        check(node.metric("kronika_webhook_oldest_undelivered_age_seconds", {"endpoint": "late"}) == 0,
              "after parking the endpoint is caught up")
        node.stop()
    finally:
        if node.alive():
            node.stop()
        if failures:
            print(node.log_text())

    # 5. A receiver that never answers: SIP setup as fast as without webhooks.
    silent = SilentServer()
    calls = 30
    base = Kronika(work=os.path.join(work, "base"), rtp_ports=400)
    try:
        base.start()
        setup_ms(base.sip_port, 5)  # warm-up
        baseline = setup_ms(base.sip_port, calls)
    finally:
        base.stop()
    hung = Kronika(work=os.path.join(work, "hung"), rtp_ports=400, config=f"""
[[webhooks]]
name = "hung"
url = "https://127.0.0.1:{silent.port}/never"
secret = "{ARCH_SECRET.decode()}"
timeout = "5m"
""")
    try:
        hung.start()
        append_events(os.path.join(hung.data_dir, "db"), [finished(f"h{i}") for i in range(20)])
        wait_for("the POST to hang", lambda: silent.held, timeout=10)
        setup_ms(hung.sip_port, 5)
        with_hang = setup_ms(hung.sip_port, calls)
        age = hung.metric("kronika_webhook_oldest_undelivered_age_seconds", {"endpoint": "hung"})
        check(age is not None and age > 0, f"the endpoint is stuck on its first event (oldest age {age:.1f} s)")
        check(hung.metric("kronika_webhook_delivered_total", {"endpoint": "hung"}) == 0, "nothing delivered to it")
    finally:
        hung.stop()
        silent.close()
        receiver.close()
    p50_base, p50_hang = statistics.median(baseline), statistics.median(with_hang)
    print(f"INVITE->200 OK over {calls} calls: without webhooks p50 {p50_base:.2f} ms max {max(baseline):.2f} ms; "
          f"with a hung endpoint p50 {p50_hang:.2f} ms max {max(with_hang):.2f} ms")
    check(p50_hang <= p50_base * 1.5 + 5, "a hung endpoint does not slow the median setup")
    check(max(with_hang) < 1000, "no call waits for the hung endpoint (max < 1 s; its timeout is 5 min)")

    sample_receiver(work, cert, key)

    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all webhook checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
