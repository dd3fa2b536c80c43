#!/usr/bin/env python3
"""Erasure reaches every copy (issue 15 item 8, RIGHTS-2), through the real binary.

A daemon with encryption at rest and a site policy, started under a permissive umask
(0002), records calls of three numbers A, B and C. Three disclosures are exported over the
API: one holding A's and B's recordings (Policja KMP), one holding only B's (Sąd Rejonowy),
one holding only C's (Prokuratura). Then:

- every package directory is 0700 and every file in it 0600, whatever the umask;
- `kronika subject erase A` with the daemon running (admin socket) removes the first
  package, names it and tells the operator that Policja KMP received a copy and must be
  notified; the second package is left alone and still verifies; `kronika export list`
  (--json and text) shows the first as purged, with the time, and the second present;
- `kronika key rotate` while the daemon runs is done by the daemon (issue 15 item 5):
  every key is then wrapped by the new master key;
- with the daemon stopped, `kronika subject erase C` (the command writes itself) purges
  the third package and names Prokuratura;
- `kronika key rotate` then works (nothing left to rewrap); the daemon refuses to start
  with the old master key,
  saying the keys are wrapped by another one, and starts with the new one.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "policy"))
from harness import (BIN, SOURCE, Kronika, free_udp_tcp_port, make_tone_wav,  # noqa: E402
                     use_new_master_key, wait_for)
from policy_test import SITE  # noqa: E402
from policy_util import write_site_config  # noqa: E402

SCENARIO = os.path.join(SOURCE, "tests/integration/ops/uac-short-call.xml")
NUMBER_B = "+48221234567"  # the scenario's own caller
NUMBER_A = "+48601999888"
NUMBER_C = "+48601777666"
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def cli(*args, env=None):
    r = subprocess.run([BIN, *args], capture_output=True, text=True, env=env)
    return r.returncode, r.stdout + r.stderr


class Api:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"

    def json(self, method, path, token, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + token)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, None


def scenario_for(node, number):
    path = os.path.join(node.work, f"uac-{number.lstrip('+')}.xml")
    with open(SCENARIO) as f, open(path, "w") as g:
        g.write(f.read().replace(NUMBER_B, number))
    return path


def sipp(node, scenario):
    return subprocess.run(["sipp", "-sf", scenario, "-m", "1", "-l", "1", "-p", str(free_udp_tcp_port()),
                           "-i", "127.0.0.1", "-timeout", "60s", "-timeout_error", "-nostdin",
                           f"127.0.0.1:{node.sip_port}"], cwd=node.work, capture_output=True, text=True).returncode == 0


def modes_of(package):
    """{relative path: mode} of the package directory and everything in it."""
    out = {".": os.stat(package).st_mode & 0o777}
    for root, dirs, files in os.walk(package):
        for name in dirs + files:
            path = os.path.join(root, name)
            out[os.path.relpath(path, package)] = os.stat(path).st_mode & 0o777
    return out


def disclose(api, tokens, institution, recording_ids):
    s, d = api.json("POST", "/api/v1/disclosures", tokens["jan"],
                    {"requester_institution": institution, "request_date": "2026-12-01",
                     "request_number": f"RSD-{institution[:3]}/26", "justification": "proceedings",
                     "recording_ids": recording_ids})
    check(s == 201, f"DISC-1 disclosure to {institution} filed ({s})")
    s, _ = api.json("POST", f"/api/v1/disclosures/{d['id']}/decision", tokens["ewa"], {"granted": True})
    check(s == 200, f"DISC-1 disclosure to {institution} granted ({s})")
    s, ex = api.json("POST", f"/api/v1/disclosures/{d['id']}/export", tokens["jan"])
    check(s == 200, f"DISC-3 package for {institution} exported ({s})")
    return d["id"], ex["package"]


def export_rows(config):
    code, out = cli("export", "list", "--json", "--config", config)
    check(code == 0, "kronika export list --json" + ("" if code == 0 else f" ({out.strip()})"))
    try:
        return {r["package"]: r for r in json.loads(out)["exports"]}
    except (ValueError, KeyError):
        return {}


def write_key(path):
    """A new master key file (64 hex digits, as `kronika` reads them)."""
    with open(path, "w") as f:
        f.write(os.urandom(32).hex() + "\n")


def office_node(prefix, check):
    """A fresh site, initialised with a records keeper (jan) and an approver (ewa), not started:
    (work dir, config file, node, API token by user). `check` reports each step."""
    work = tempfile.mkdtemp(prefix=prefix)
    config = write_site_config(work, "waw1", SITE.format(id="waw1", always="true", window='"08:00-16:00"'))
    node = Kronika(work=os.path.join(work, "waw1"), rtp_ports=40, extra_args=("--config", config))
    os.makedirs(node.work, exist_ok=True)
    make_tone_wav(os.path.join(node.work, "tone.wav"))
    code, out = cli("init", "--config", config)
    check(code == 0, f"kronika init ({out.strip()})")
    tokens = {}
    for user, role in [("jan", "records_keeper"), ("ewa", "approver")]:
        code, out = cli("user", "add", user, "--role", role, "--name", user.title(), "--surname", "Test",
                        "--position", "Clerk", "--config", config)
        check(code == 0, f"user add {user} ({out.strip()})")
        code, out = cli("user", "token", user, "--config", config)
        tokens[user] = out.split()[0] if code == 0 else ""
    return work, config, node, tokens


def main():
    for tool in ("sipp", "sox"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} not installed")
            return 77
    os.umask(0o002)  # a permissive umask: the daemon inherits it
    keys_dir = use_new_master_key()
    old_key = os.environ["KRONIKA_MASTER_KEY_FILE"]
    new_key = os.path.join(keys_dir, "master-2.key")
    write_key(new_key)
    work, config, node, tokens = office_node("kronika-export-purge-", check)
    data = node.data_dir
    try:
        node.start()
        api = Api(node.http_port)
        check(all(sipp(node, scenario_for(node, n)) for n in (NUMBER_A, NUMBER_B, NUMBER_C)),
              "calls of A, B and C recorded")

        def completed():
            s, body = api.json("GET", "/api/v1/recordings?state=completed", tokens["jan"])
            return body["recordings"] if s == 200 and body.get("count", 0) >= 3 else None
        recs = wait_for("three completed recordings", completed, timeout=30)

        def of(number):
            return [r["recording_id"] for r in recs if any(p.get("number") == number for p in r.get("participants", []))]
        rec_a, rec_b, rec_c = of(NUMBER_A), of(NUMBER_B), of(NUMBER_C)
        check(len(rec_a) == len(rec_b) == len(rec_c) == 1, f"one recording per number ({rec_a}, {rec_b}, {rec_c})")

        d1, pkg_ab = disclose(api, tokens, "Policja KMP", rec_a + rec_b)
        d2, pkg_b = disclose(api, tokens, "Sąd Rejonowy", rec_b)
        d3, pkg_c = disclose(api, tokens, "Prokuratura", rec_c)

        # Packages hold decrypted audio: 0700 / 0600 whatever the umask.
        for pkg in (pkg_ab, pkg_b, pkg_c):
            modes = modes_of(pkg)
            wrong = {p: oct(m) for p, m in modes.items()
                     if m != (0o700 if os.path.isdir(os.path.join(pkg, p)) else 0o600)}
            check(len(modes) >= 8 and not wrong, f"package {os.path.basename(pkg)} is 0700/0600 under umask 0002 "
                                                 f"(wrong: {wrong})")

        # RIGHTS-2 with the daemon running: it erases and purges (admin socket).
        code, out = cli("subject", "erase", NUMBER_A, "--by", "iod", "--reason", "art. 17 request", "--config", config)
        print(out)
        check(code == 0 and f"erased {rec_a[0]}" in out, "A erased through the daemon")
        check(f"purged export package {pkg_ab} (disclosure {d1})" in out, "the erase output names the purged package")
        check(f"notify Policja KMP: it received a copy of {rec_a[0]} in disclosure {d1}" in out and "GDPR Art. 19" in out,
              "the erase output tells the operator to notify Policja KMP")
        check(pkg_b not in out and "Sąd Rejonowy" not in out and "Prokuratura" not in out,
              "packages without A's recording are not named")
        check(not os.path.exists(pkg_ab), "the package holding A's recording is gone from disk")
        code, out = cli("export", "verify", pkg_b)
        check(code == 0 and "package intact" in out, f"the package holding only B's recording still verifies ({out.strip()})")
        check(os.path.isdir(pkg_c), "C's package is untouched")

        rows = export_rows(config)
        ab, b = rows.get(pkg_ab, {}), rows.get(pkg_b, {})
        purge = ab.get("purged") or {}
        check(ab.get("present") is False and purge.get("by") == "iod" and purge.get("reason") == "art. 17 request"
              and purge.get("erased_recording_ids") == rec_a and (purge.get("at_utc") or "").startswith("20"),
              f"export list --json shows the purge ({ab})")
        check(b.get("present") is True and b.get("purged") is None, f"export list --json: B's package present ({b})")
        code, out = cli("export", "list", "--config", config)
        line_ab = next((line for line in out.splitlines() if line.endswith(pkg_ab)), "")
        line_b = next((line for line in out.splitlines() if line.endswith(pkg_b)), "")
        check(re.search(r" usunięta \d\d\.\d\d\.20\d\d, \d\d:\d\d:\d\d CES?T", line_ab) is not None
              and " brak " not in line_ab, f"export list shows 'usunięta <local time>' ({line_ab!r})")
        check(" tak " in line_b, f"export list shows B's package present ({line_b!r})")

        # The daemon holds the master key in memory: it rotates itself (issue 15 item 5).
        code, out = cli("key", "rotate", "--new-key-file", new_key, "--config", config)
        check(code == 0 and "the daemon (PID" in out and "now uses the new key" in out,
              f"key rotate while the daemon runs is done by the daemon ({out.strip()})")
        code, out = cli("key", "status", "--json", "--key-file", new_key, "--config", config)
        status = json.loads(out) if code == 0 else {}
        check(status.get("recording_keys", 0) >= 2 and status.get("unwrap") == status.get("recording_keys"),
              f"every key is wrapped by the new master key ({out.strip()})")
    finally:
        node.stop()

    # RIGHTS-2 without a daemon: the command writes itself.
    code, out = cli("subject", "erase", NUMBER_C, "--by", "iod", "--reason", "art. 17 request", "--config", config)
    print(out)
    check(code == 0 and f"purged export package {pkg_c} (disclosure {d3})" in out and "notify Prokuratura" in out,
          "C erased without a daemon: its package purged, Prokuratura named")
    check(not os.path.exists(pkg_c), "C's package is gone from disk")
    check((export_rows(config).get(pkg_c, {}).get("purged") or {}).get("by") == "iod", "export list shows C's purge")
    code, out = cli("export", "verify", pkg_b)
    check(code == 0, "B's package still verifies")

    code, out = cli("key", "rotate", "--new-key-file", new_key, "--config", config)
    check(code == 0 and "rewrapped" in out, f"key rotate works with the daemon stopped ({out.strip()})")
    try:
        node.start()
        check(False, "the daemon started with the old master key")
    except AssertionError:
        node.stop()
        log = node.log_text()
        check("wrapped by another master key" in log and "kronika key rotate" in log,
              f"the daemon refuses the old master key, saying why ({log[-600:]})")
    os.environ["KRONIKA_MASTER_KEY_FILE"] = new_key
    try:
        node.start()
        code, out = cli("key", "status", "--config", config)
        check(code == 0, f"the daemon runs with the new master key; every key unwraps ({out.strip()})")
    except AssertionError as e:
        check(False, f"the daemon starts with the new master key ({e})")
    finally:
        node.stop()
    os.environ["KRONIKA_MASTER_KEY_FILE"] = old_key

    if failures:
        print(f"\n{len(failures)} check(s) failed; server log tail:\n{node.log_text()}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(keys_dir, ignore_errors=True)
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
