#!/usr/bin/env python3
"""Backup and restore end to end (issue 15 "done when"), through the real binary.

A daemon with encryption at rest (SEC-1) and a site policy records calls; a legal hold is
placed (RET-2); a recording is approved and played by two players (two register entries, REG-1);
a disclosure is filed and granted (DISC-1); a data subject is erased (RIGHTS-2). Then, while
kronika-loadgen keeps 50 calls recording, `kronika backup` runs back to back (every
session set up during the run is set up during a backup); the run must lose no packet
(the server accepts exactly what the generator sent) and its setup p99 is reported beside
a run without backups. The first backup taken at full load is verified, the daemon
stopped, the data dir wiped and `kronika restore` run into it. The restored daemon has:
the hold active; `register verify` counting every entry, and failing once the register is
deleted or cut at its end; the users and their tokens working; the encrypted audio
playing; the erased subject's recordings, files and keys still gone.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import threading
import time
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
LOADGEN = os.path.join(os.environ.get("KRONIKA_BUILD", os.path.join(SOURCE, "build")), "interop/kronika-loadgen")
ERASED_NUMBER = "+48601999888"
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def cli(*args):
    r = subprocess.run([BIN, *args], capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


class Api:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"

    def call(self, method, path, token, body=None, headers=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + token)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=20) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def json(self, method, path, token, body=None):
        s, raw = self.call(method, path, token, body)
        try:
            return s, json.loads(raw)
        except ValueError:
            return s, None


def sipp(node, scenario, calls):
    return subprocess.run(["sipp", "-sf", scenario, "-m", str(calls), "-l", "1", "-p", str(free_udp_tcp_port()),
                           "-i", "127.0.0.1", "-timeout", "60s", "-timeout_error", "-nostdin",
                           f"127.0.0.1:{node.sip_port}"], cwd=node.work, capture_output=True, text=True).returncode == 0


def loadgen(node, report, total, rate, duration):
    return subprocess.run(
        [LOADGEN, "--target", f"127.0.0.1:{node.sip_port}", "--local", f"127.0.0.1:{free_udp_tcp_port()}",
         "--rtp-port-base", str(free_udp_tcp_port()), "--calls", "50", "--total", str(total), "--rate", str(rate),
         "--duration", duration, "--json", report], capture_output=True, text=True, timeout=300)


def main():
    for tool in ("sipp", "sox"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} not installed")
            return 77
    if not os.path.exists(LOADGEN):
        print(f"SKIP: {LOADGEN} not built")
        return 77
    keys_dir = use_new_master_key()
    work = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"kronika-backup-it-{os.getpid()}")
    os.makedirs(work, exist_ok=True)
    config = write_site_config(work, "waw1", SITE.format(id="waw1", always="true", window='"08:00-16:00"'))
    node = Kronika(work=os.path.join(work, "waw1"), rtp_ports=400, extra_args=("--config", config))
    data = node.data_dir
    os.makedirs(node.work, exist_ok=True)
    make_tone_wav(os.path.join(node.work, "tone.wav"))
    erased_scenario = os.path.join(node.work, "uac-erased-caller.xml")
    with open(SCENARIO) as f, open(erased_scenario, "w") as g:
        g.write(f.read().replace("+48221234567", ERASED_NUMBER))

    code, out = cli("init", "--config", config)  # tools refuse a data dir without a database
    check(code == 0, f"kronika init ({out.strip()})")
    tokens = {}
    for user, roles, name in [("jan", "records_keeper", "Jan"), ("ewa", "approver", "Ewa"),
                              ("anna", "listener", "Anna")]:
        code, out = cli("user", "add", user, "--role", roles, "--name", name, "--surname", "Test",
                        "--position", "Clerk", "--config", config)
        check(code == 0, f"user add {user} ({out.strip()})")
        code, out = cli("user", "token", user, "--config", config)
        tokens[user] = out.split()[0] if code == 0 else ""
    backups = []
    try:
        node.start()
        api = Api(node.http_port)
        check(sipp(node, SCENARIO, 2) and sipp(node, erased_scenario, 1), "three calls recorded")

        def completed():
            s, body = api.json("GET", "/api/v1/recordings?state=completed", tokens["jan"])
            return body["recordings"] if s == 200 and body.get("count", 0) >= 3 else None
        recs = wait_for("three completed recordings", completed, timeout=30)
        erased = [r["recording_id"] for r in recs if any(p.get("number") == ERASED_NUMBER for p in r.get("participants", []))]
        kept = [r["recording_id"] for r in recs if r["recording_id"] not in erased]
        check(len(erased) == 1 and len(kept) == 2, f"one recording of {ERASED_NUMBER}, two others ({erased}, {kept})")
        held, played = kept[0], kept[1]
        wait_for("sealed recordings", lambda: len(glob.glob(os.path.join(data, "recordings", "**", "*.kenc"),
                                                            recursive=True)) >= 3, timeout=20)

        code, out = cli("hold", "place", held, "--case", "II K 1/26", "--by", "jan", "--config", config)
        check(code == 0, f"RET-2 hold placed through the daemon ({out.strip()})")
        s, req = api.json("POST", "/api/v1/playback-requests", tokens["anna"],
                          {"recording_ids": [played], "reason": "e", "justification": "complaint 12/2026"})
        check(s == 201, f"playback request filed ({s})")
        s, _ = api.json("POST", f"/api/v1/playback-requests/{req['id']}/decision", tokens["ewa"],
                        {"granted": True, "valid_minutes": 120})
        s2, _ = api.json("POST", f"/api/v1/playback-requests/{req['id']}/informed", tokens["jan"],
                         {"recording_id": played, "how": "in person"})
        check(s == 200 and s2 == 200, "approved and employee informed")
        s, audio = api.call("GET", f"/api/v1/recordings/{played}/audio", tokens["anna"])
        # A second player (the page's `session` parameter): a second listening session, so a
        # second register entry (the same player's Range requests would join the first).
        s2, _ = api.call("GET", f"/api/v1/recordings/{played}/audio?session=player-backup-test-01", tokens["anna"],
                         headers={"Range": "bytes=0-99"})
        check(s == 200 and audio[:4] == b"OggS" and s2 == 206, f"played twice (register entries) ({s}, {s2})")
        s, d = api.json("POST", "/api/v1/disclosures", tokens["jan"],
                        {"requester_institution": "Policja KMP", "request_date": "2026-11-30",
                         "request_number": "RSD-1/26", "justification": "proceedings", "recording_ids": [held]})
        s2, _ = api.json("POST", f"/api/v1/disclosures/{d['id']}/decision", tokens["ewa"], {"granted": True})
        check(s == 201 and s2 == 200, "DISC-1 disclosure filed and granted")
        code, out = cli("subject", "erase", ERASED_NUMBER, "--by", "iod", "--reason", "art. 17 request", "--config", config)
        check(code == 0 and f"erased {erased[0]}" in out, f"RIGHTS-2 subject erased through the daemon ({out.strip()})")
        check(not glob.glob(os.path.join(data, "**", erased[0] + "*"), recursive=True),
              "the erased recording's audio and key are gone")

        # Baseline: the same load without backups.
        base_report = os.path.join(node.work, "baseline.json")
        run = loadgen(node, base_report, 60, 8, "6-8")
        base = json.load(open(base_report)) if os.path.exists(base_report) else {}
        check(run.returncode == 0, f"baseline load ({run.stderr[-300:]})")

        # The load with backups back to back.
        accepted_before = node.metric("kronika_rtp_packets_total") or 0
        report_path = os.path.join(node.work, "load.json")
        result = {}
        load = threading.Thread(target=lambda: result.update(run=loadgen(node, report_path, 150, 8, "6-8")))
        load.start()
        wait_for("50 calls recording", lambda: (node.metric("kronika_sessions_active") or 0) >= 50, timeout=30)
        started = time.time()
        durations = []
        while load.is_alive():
            dest = os.path.join(work, f"backup-{len(backups)}")
            t0 = time.time()
            code, out = cli("backup", dest, "--config", config)
            durations.append(time.time() - t0)
            if code != 0:
                check(False, f"kronika backup during the load ({out.strip()})")
                break
            backups.append(dest)
        load.join()
        time.sleep(1.5)  # the last packets drained
        report = json.load(open(report_path)) if os.path.exists(report_path) else {}
        sent = report.get("rtp", {}).get("packets_sent", -1)
        accepted = (node.metric("kronika_rtp_packets_total") or 0) - accepted_before
        check(result["run"].returncode == 0 and report.get("completed") == 150 and not report.get("failures_by_code"),
              f"150 calls completed under backups ({json.dumps(report)[:300]})")
        check(len(backups) >= 2, f"{len(backups)} backups taken during {time.time() - started:.1f} s of load")
        check(sent > 0 and accepted == sent, f"no packet lost during the backups: sent {sent}, accepted {accepted}")
        p99 = report.get("setup_latency_ms", {}).get("p99")
        print(f"MEASURED setup p99 during back-to-back backups: {p99} ms (p50 {report.get('setup_latency_ms', {}).get('p50')}"
              f" ms); without backups: p99 {base.get('setup_latency_ms', {}).get('p99')} ms; "
              f"backup took {min(durations):.2f}-{max(durations):.2f} s each ({len(durations)} backups, 50 calls live)",
              flush=True)
    finally:
        node.stop()

    dest = backups[0] if backups else None
    code, out = cli("backup", "verify", dest) if dest else (1, "no backup")
    check(code == 0 and "backup intact" in out and "register 2 entries" in out, f"backup verify ({out.strip()})")

    shutil.rmtree(data)
    code, out = cli("register", "verify", "--config", config)
    check(code != 0, "with the data dir wiped, register verify fails")
    code, out = cli("restore", dest, "--config", config)
    check(code == 0 and "register 2 entries verified" in out, f"kronika restore ({out.strip()})")
    code, out = cli("restore", dest, "--config", config)
    check(code == 1 and "not empty" in out, "a second restore into the restored dir is refused")
    try:
        node.start()
        api = Api(node.http_port)
        code, out = cli("restore", dest, "--config", config)
        check(code == 1 and "in use by process" in out, f"restore into a live data dir is refused ({out.strip()})")
        code, out = cli("hold", "list", "--config", config)
        check(held in out and "II K 1/26" in out and "1 active hold" in out, f"RET-2 the hold is active ({out.strip()})")
        code, out = cli("register", "verify", "--config", config)
        check(code == 0 and "nienaruszona" in out and "wpisów: 2," in out, f"REG-3 register verify counts every entry ({out.strip()})")
        s, me = api.json("GET", "/api/v1/me", tokens["anna"])
        check(s == 200 and me and me.get("username") == "anna", f"ACCESS-1 the users' tokens work ({s})")
        s, audio = api.call("GET", f"/api/v1/recordings/{played}/audio", tokens["anna"])
        check(s == 200 and audio[:4] == b"OggS", f"SEC-1 the encrypted recording plays after the restore ({s})")
        s, body = api.json("GET", f"/api/v1/disclosures/{d['id']}", tokens["jan"])
        check(s == 200 and body and body.get("status") == "granted", "DISC-1 the disclosure is there")
        code, out = cli("subject", "find", ERASED_NUMBER, "--config", config)
        check(code == 0 and "0 recording(s)" in out, f"RIGHTS-2 the erased subject stays erased ({out.strip()[-100:]})")
        check(not glob.glob(os.path.join(data, "**", erased[0] + "*"), recursive=True),
              "no audio or key of the erased recording came back")
        code, out = cli("retention", "log", "--config", config)
        check(erased[0] in out and "erasure" in out, "the erasure is in the restored deletion log")

        register = os.path.join(data, "access", "register.jsonl")
        saved = open(register, "rb").read()
        os.remove(register)
        code, out = cli("register", "verify", "--config", config)
        check(code == 1 and "missing" in out, f"REG-3 register verify fails when the register is deleted ({out.strip()})")
        lines = saved.splitlines(keepends=True)
        with open(register, "wb") as f:
            f.writelines(lines[:-1])
        code, out = cli("register", "verify", "--config", config)
        check(code == 1 and "removed" in out, f"REG-3 ... or cut at its end ({out.strip()})")
        with open(register, "wb") as f:
            f.write(saved)
    finally:
        node.stop()
    if failures:
        print(node.log_text())
        print(f"{len(failures)} check(s) failed")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(keys_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
