#!/usr/bin/env python3
"""Master key rotation with the daemon running (issue 15 item 5, SEC-1), through the real binary.

A daemon with encryption at rest records call A under master key OLD. Then:

- `kronika key rotate --new-key-file NEW` asks the daemon (admin socket): it rewraps the
  keys and says the daemon now uses NEW, to point KRONIKA_MASTER_KEY_FILE at it before the
  next restart, and that the old file still opens older backups;
- `kronika key status` with NEW: every recording key unwraps;
- call B is recorded after the rotation; the running daemon exports both recordings
  (decrypting them) in a disclosure package;
- KRONIKA_MASTER_KEY_FILE's file overwritten with an unrelated key, SIGHUP: the daemon
  logs that the key does not open the keys on disk and keeps NEW (the next export works);
- stopped, then started with OLD: refused; started with NEW only: both recordings'
  .opus.kenc files decrypt (`kronika key probe`) and export again.
"""
import glob
import os
import shutil
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "policy"))
from harness import use_new_master_key, wait_for  # noqa: E402
from export_purge_test import (NUMBER_A, NUMBER_B, Api, cli, office_node, scenario_for, sipp,  # noqa: E402
                               write_key)

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def main():
    for tool in ("sipp", "sox"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} not installed")
            return 77
    keys_dir = use_new_master_key()
    old_key = os.environ["KRONIKA_MASTER_KEY_FILE"]
    new_key = os.path.join(keys_dir, "master-2.key")
    write_key(new_key)
    work, config, node, tokens = office_node("kronika-key-rotate-online-", check)

    def completed(api, n):
        s, body = api.json("GET", "/api/v1/recordings?state=completed", tokens["jan"])
        return body["recordings"] if s == 200 and body.get("count", 0) >= n else None

    def export(api, ids, what):
        s, d = api.json("POST", "/api/v1/disclosures", tokens["jan"],
                        {"requester_institution": "Sąd Rejonowy", "request_date": "2026-12-01",
                         "request_number": f"RSD/{what}", "justification": "proceedings", "recording_ids": ids})
        if s != 201:
            return f"filing answered {s}"
        s, _ = api.json("POST", f"/api/v1/disclosures/{d['id']}/decision", tokens["ewa"], {"granted": True})
        if s != 200:
            return f"decision answered {s}"
        s, ex = api.json("POST", f"/api/v1/disclosures/{d['id']}/export", tokens["jan"])
        return "ok" if s == 200 else f"export answered {s}: {ex}"

    try:
        node.start()
        api = Api(node.http_port)
        check(sipp(node, scenario_for(node, NUMBER_A)), "call A recorded under the old master key")
        recs = wait_for("recording A completed", lambda: completed(api, 1), timeout=30)

        code, out = cli("key", "rotate", "--new-key-file", new_key, "--config", config)
        print(out.strip())
        check(code == 0 and "rewrapped 1 recording keys" in out, f"key rotate with the daemon running ({out.strip()})")
        check("the daemon (PID" in out and "now uses the new key" in out and "KRONIKA_MASTER_KEY_FILE" in out
              and new_key in out and "backups made before now" in out,
              "key rotate says the daemon uses the new key, to point KRONIKA_MASTER_KEY_FILE at it, and why to "
              "keep the old one")
        code, out = cli("key", "status", "--json", "--key-file", new_key, "--config", config)
        check(code == 0 and '"unwrap": 1' in out, f"key status with the new key: every key unwraps ({out.strip()})")

        check(sipp(node, scenario_for(node, NUMBER_B)), "call B recorded after the rotation")
        recs = wait_for("recordings A and B completed", lambda: completed(api, 2), timeout=30)
        ids = [r["recording_id"] for r in recs]
        code, out = cli("key", "status", "--json", "--key-file", new_key, "--config", config)
        check(code == 0 and '"unwrap": 2' in out and '"recording_keys": 2' in out,
              f"B's key is wrapped by the new master key ({out.strip()})")
        check(export(api, ids, "1") == "ok", "the running daemon exports (decrypts) A and B after the rotation")

        # SIGHUP with an unrelated key in the file: kept NEW.
        with open(new_key) as f:
            new_text = f.read()
        write_key(new_key)
        node.proc.send_signal(signal.SIGHUP)
        wait_for("the reload logged", lambda: "which is not the one in use" in node.log_tail(50000), timeout=15)
        with open(new_key, "w") as f:
            f.write(new_text)
        check(node.alive() and export(api, ids, "2") == "ok",
              "SIGHUP with a key that opens nothing: the daemon keeps the rotated key and still exports")
        node.proc.send_signal(signal.SIGHUP)  # the file holds the key in use again: nothing to do
        time.sleep(1)
        node.stop()

        os.environ["KRONIKA_MASTER_KEY_FILE"] = old_key
        try:
            node.start()
            check(False, "the daemon started with the old master key")
        except AssertionError:
            node.stop()
            check("wrapped by another master key" in node.log_text(), "the daemon refuses the old master key")
        os.environ["KRONIKA_MASTER_KEY_FILE"] = new_key
        node.start()
        api = Api(node.http_port)
        kencs = glob.glob(os.path.join(node.data_dir, "**", "*.opus.kenc"), recursive=True)
        check(len(kencs) == 2, f"two sealed recordings on disk ({kencs})")
        for path in kencs:
            code, out = cli("key", "probe", path, "--config", config)
            check(code == 0 and "decrypts with the key of recording" in out,
                  f"{os.path.basename(path)} decrypts with the new master key alone ({out.strip()})")
        check(export(api, ids, "3") == "ok", "restarted with the new key only: A and B export (decrypt)")
    finally:
        node.stop()
    if failures:
        print(node.log_tail(4000))
        return 1
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(keys_dir, ignore_errors=True)
    print("online key rotation checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
