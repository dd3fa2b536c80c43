#!/usr/bin/env python3
"""Events in the outbox (issue 17 item 1), through the real binary.

- `kronika serve` with `[events] node = "kr-it"`: node.ready once it serves; a SIPREC call
  is recording.started at the store's first commit and recording.finished (or .interrupted)
  when it ends, with no number in `data` and the participants' numbers in `personal`;
  `kronika hold place` while it runs (the daemon writes) is hold.placed; SIGTERM is
  node.draining.
- Without a daemon, `kronika hold lift --config` writes itself, under the same node and the
  same sequence (the configuration's node, not the host name).
- The sequence is gap-free from 1 and every id is "kr-it-<seq>".
The outbox is read with mdb_dump (lmdb-utils) after the daemon stopped, decoding the
events row (srs/store/src/event_outbox.cc: varint version, type, zigzag time, node,
recording id, data JSON, personal JSON).
"""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "policy"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sip"))
from harness import BIN, Kronika, skip, wait_for  # noqa: E402
from policy_util import siprec_body  # noqa: E402
from sip_client import Dialog, SipClient  # noqa: E402

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def cli(*args):
    r = subprocess.run([BIN, *args], capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def varint(b, i):
    v, shift = 0, 0
    while True:
        byte = b[i]
        i += 1
        v |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return v, i


def text(b, i):
    n, i = varint(b, i)
    return b[i:i + n].decode(), i + n


def read_events(db_dir):
    """Every row of the `events` table: [{seq, type, time_ms_utc, node, recording_id, data, personal}]."""
    r = subprocess.run(["mdb_dump", "-s", "events", db_dir], capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError("mdb_dump: " + r.stderr)
    lines = r.stdout.split("HEADER=END\n", 1)[1].splitlines()
    rows = [bytes.fromhex(line.strip()) for line in lines if line.strip() and line != "DATA=END"]
    events = []
    for key, value in zip(rows[0::2], rows[1::2]):
        i = 0
        version, i = varint(value, i)
        etype, i = text(value, i)
        zz, i = varint(value, i)
        time_ms = (zz >> 1) ^ -(zz & 1)
        node, i = text(value, i)
        rec, i = text(value, i)
        data, i = text(value, i)
        personal, i = text(value, i)
        events.append({"seq": int.from_bytes(key, "big"), "version": version, "type": etype, "time_ms_utc": time_ms,
                       "node": node, "recording_id": rec, "data": json.loads(data), "personal": json.loads(personal)})
    return events


def main():
    if not shutil.which("mdb_dump"):
        skip("mdb_dump (lmdb-utils) is not installed")
    node = Kronika(config='[events]\nnode = "kr-it"\n')
    config = node.config_path
    with open(config, "a") as f:
        f.write(f'[storage]\ndata_dir = "{node.data_dir}"\n')
    started_at = int(time.time() * 1000)
    node.start()
    try:
        client = SipClient("udp", "127.0.0.1", node.sip_port)
        dialog = Dialog(client)
        body, content_type = siprec_body("+48221234567", "+48601234567")
        responses = dialog.invite(body, content_type)
        final = responses[-1] if responses else None
        check(final is not None and final.status == 200, f"the SIPREC INVITE is answered 200 (got {final})")
        if final is not None:
            dialog.ack(final)
        time.sleep(1.0)
        dialog.bye()
        client.close()

        def recorded():
            code, out = cli("query", "--data-dir", node.data_dir, "--json")
            if code != 0:
                return None
            body = json.loads(out)
            rows = body if isinstance(body, list) else body.get("recordings", body.get("items", []))
            return rows if rows and rows[0].get("state") != "active" else None

        rows = wait_for("the recording to end", recorded, timeout=30)
        rec_id = rows[0]["recording_id"]
        code, out = cli("hold", "place", rec_id, "--case", "II K 1/26", "--by", "jan", "--config", config)
        check(code == 0, "kronika hold place while the daemon runs: " + out.strip())
    finally:
        check(node.stop() == 0, "the daemon stops cleanly on SIGTERM")
    code, out = cli("hold", "lift", rec_id, "--case", "II K 1/26", "--by", "sad", "--reason", "closed",
                    "--config", config)
    check(code == 0, "kronika hold lift with no daemon (the command writes): " + out.strip())

    events = read_events(os.path.join(node.data_dir, "db"))
    types = [(e["type"], e["recording_id"]) for e in events]
    print("events:", json.dumps(events, indent=1))
    end_type = "recording.finished" if rows[0]["state"] == "completed" else "recording.interrupted"
    check(types == [("node.ready", ""), ("recording.started", rec_id), (end_type, rec_id),
                    ("hold.placed", rec_id), ("node.draining", ""), ("hold.lifted", rec_id)],
          f"the events, in order: {types}")
    check([e["seq"] for e in events] == list(range(1, len(events) + 1)), "gap-free sequence from 1")
    check(all(e["node"] == "kr-it" for e in events), "every event carries [events] node, the CLI's too")
    check(all(e["time_ms_utc"] >= started_at - 1000 for e in events), "times are the commits' UTC times")
    by_type = {e["type"]: e for e in events}
    ready = by_type.get("node.ready", {})
    check(ready.get("data", {}).get("version", "") != "", f"node.ready names the version: {ready.get('data')}")
    started = by_type.get("recording.started", {})
    check(started.get("data", {}).get("state") == "active" and "sip_call_id" in started.get("data", {}),
          f"recording.started data: {started.get('data')}")
    numbers = [p.get("number") for p in started.get("personal", {}).get("participants", [])]
    check("+48221234567" in numbers and "+48601234567" in numbers,
          f"recording.started personal holds the participants' numbers: {numbers}")
    end = by_type.get(end_type, {})
    check("+48" not in json.dumps([e["data"] for e in events]), "no number in any event's data")
    check("duration_s" in end.get("data", {}) and "verdict" in end.get("data", {}),
          f"{end_type} data: {end.get('data')}")
    check(by_type.get("hold.placed", {}).get("data") == {"case_ref": "II K 1/26", "by": "jan", "reason": None},
          f"hold.placed data: {by_type.get('hold.placed', {}).get('data')}")
    check(by_type.get("hold.lifted", {}).get("data") == {"case_ref": "II K 1/26", "by": "sad", "reason": "closed"},
          f"hold.lifted data: {by_type.get('hold.lifted', {}).get('data')}")
    if failures:
        print(node.log_text())
        print(f"{len(failures)} check(s) failed")
        return 1
    shutil.rmtree(node.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
