#!/usr/bin/env python3
"""Rows that do not decode, through the real binary (issue 13 "done when"): a rules-table
row with a field of the wrong type, access and recordings rows of truncated bytes - written
into a real data dir with mdb_load (lmdb-utils), as a disk error, a hand edit or an old
build with a bug would leave them. Then:

- every CLI listing (hold list [--all], dnr list, retention log, user list, query [--json],
  subject find) exits 0, shows the readable rows and warns about each unreadable one on
  stderr (a do-not-record key - a phone number - is not printed);
- `kronika retention sweep` refuses (exit 1) while the hold log has an unreadable act: a
  hold might be missing (RET-2);
- the daemon starts on that data dir, its sweeper reads the same rows and survives (the
  sweep is refused visibly, kronika_retention_sweeps_total{result="refused"}), the API
  lists the readable recordings, kronika_store_bad_rows_total{table} counts each table's
  bad rows, and a new call is recorded.
"""
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "policy"))
from harness import BIN, SOURCE, Kronika, free_udp_tcp_port, make_tone_wav, wait_for  # noqa: E402
from policy_test import SITE  # noqa: E402
from policy_util import write_site_config  # noqa: E402

SCENARIO = os.path.join(SOURCE, "tests/integration/ops/uac-short-call.xml")
failures = []
WARNING = "skipped an unreadable row in table "


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def cli(*args):
    r = subprocess.run([BIN, *args], capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def mdb_put(env, table, key: bytes, value: bytes):
    """One row, as mdb_load -T takes it (every byte escaped as \\hh)."""
    esc = lambda b: "".join(f"\\{x:02x}" for x in b)  # noqa: E731
    subprocess.run(["mdb_load", "-T", "-s", table, env], input=(esc(key) + "\n" + esc(value) + "\n").encode(),
                   check=True)


def seq_key(n):
    return n.to_bytes(8, "big")


def time_key(ms, rid):
    return ((ms + (1 << 63)) % (1 << 64)).to_bytes(8, "big") + rid.encode()


def call(node):
    return subprocess.run(["sipp", "-sf", SCENARIO, "-m", "1", "-p", str(free_udp_tcp_port()), "-i", "127.0.0.1",
                           "-timeout", "30s", "-timeout_error", "-nostdin", f"127.0.0.1:{node.sip_port}"],
                          cwd=node.work, capture_output=True, text=True).returncode == 0


def api(port, path, token):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, None


def main():
    for tool in ("sipp", "sox", "mdb_load"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} not installed")
            return 77
    work = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"kronika-badrows-it-{os.getpid()}")
    os.makedirs(work, exist_ok=True)
    config = write_site_config(work, "waw1", SITE.format(id="waw1", always="true", window='"08:00-16:00"'))
    node = Kronika(work=os.path.join(work, "waw1"), extra_args=("--config", config))
    data = node.data_dir
    os.makedirs(node.work, exist_ok=True)
    make_tone_wav(os.path.join(node.work, "tone.wav"))
    os.makedirs(data, exist_ok=True)
    code, _, err = cli("init", "--config", config)  # tools refuse a data dir without a database
    check(code == 0, f"kronika init ({err.strip()})")
    code, _, err = cli("user", "add", "jan", "--role", "records_keeper", "--name", "Jan", "--surname", "Kowal",
                       "--position", "Records keeper", "--config", config)
    check(code == 0, f"user add ({err.strip()})")
    code, token, _ = cli("user", "token", "jan", "--config", config)
    token = token.strip()
    try:
        node.start()
        check(call(node) and call(node), "two calls recorded")
    finally:
        node.stop()
    code, out, _ = cli("query", "--config", config, "--json")
    rows = json.loads(out)
    rows = rows if isinstance(rows, list) else rows.get("recordings", [])
    check(len(rows) == 2, f"two recordings stored ({len(rows)})")
    rid = rows[0]["recording_id"]
    code, _, err = cli("hold", "place", rid, "--case", "II K 1/26", "--by", "jan", "--config", config)
    check(code == 0, f"hold placed ({err.strip()})")
    cli("dnr", "add", "+48 601 000 111", "--by", "jan", "--config", config)

    env = os.path.join(data, "db")
    truncated = b"\x01\x05ab"  # version 1, a 5-byte string cut after 2
    mdb_put(env, "rules.hold_log", seq_key(100),
            b'{"act":"place","at_ms_utc":"yesterday","by":"x","case":"II K 9/26","recording_id":"R9"}')
    mdb_put(env, "rules.dnr", b"+48601999999", truncated)
    mdb_put(env, "rules.deletion_log", seq_key(100), b'{"recording_id":7}')
    mdb_put(env, "access.users", b"zz", truncated)
    bad_id = "01ZZZZZZZZZZZZZZZZZZZZZZZZ"
    mdb_put(env, "recordings", bad_id.encode(), truncated)
    mdb_put(env, "by_start", time_key(int(time.time() * 1000), bad_id), b"")

    listings = [
        (("hold", "list"), "rules.hold_log", rid),
        (("hold", "list", "--all"), "rules.hold_log", "II K 1/26"),
        (("dnr", "list"), "rules.dnr", "+48601000111"),
        (("retention", "log"), "rules.deletion_log", None),
        (("user", "list"), "access.users", "jan"),
        (("query",), "recordings", rows[1]["recording_id"]),
        (("query", "--json"), "recordings", rows[1]["recording_id"]),
        (("subject", "find", "+48221234567"), "rules.hold_log", "2 recording(s)"),
    ]
    for args, table, shown in listings:
        code, out, err = cli(*args, "--config", config)
        what = "kronika " + " ".join(args)
        check(code == 0, f"{what} exits 0 ({err.strip()[-200:]})")
        check(WARNING + table in err, f"{what} warns about the unreadable row of {table}")
        check(shown is None or shown in out, f"{what} shows the readable rows")
        if args == ("query", "--json"):
            body = json.loads(out)
            listed = body if isinstance(body, list) else body.get("recordings", [])
            check(len(listed) == 2 and bad_id not in out, "query --json lists the two readable recordings")
        if args == ("dnr", "list"):
            check("+48601999999" not in err and "key withheld" in err, "a do-not-record key is not printed")
    code, out, err = cli("retention", "sweep", "--config", config)
    check(code == 1 and "unreadable act(s)" in out + err, f"retention sweep refuses ({(out + err).strip()[-200:]})")

    try:
        node.start()
        ok = wait_for("a refused sweep", lambda: (node.metric("kronika_retention_sweeps_total", {"result": "refused"})
                                                 or 0) >= 1, timeout=30)
        check(ok, "the daemon's sweeper read the hold log and refused visibly")
        s, body = api(node.http_port, "/api/v1/recordings", token)
        check(s == 200 and body and body.get("count") == 2, f"the API lists the readable recordings ({s}, {body})")
        for table in ("recordings", "rules.hold_log"):
            n = node.metric("kronika_store_bad_rows_total", {"table": table}) or 0
            check(n == 1, f"kronika_store_bad_rows_total{{table=\"{table}\"}} = 1 (got {n})")
        check(node.metric("kronika_store_bad_rows_total", {"table": "access.tokens"}) == 0,
              "every table is exported, 0 without bad rows")
        check(call(node), "a new call is recorded")
        check(node.alive(), "the daemon is alive")
    finally:
        node.stop()
    if failures:
        print(node.log_text())
        print(f"{len(failures)} check(s) failed")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
