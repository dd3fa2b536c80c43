#!/usr/bin/env python3
"""The records keeper's and the auditor's workflows in the browser (issue 16 item 3): a real
daemon with a site policy, one recorded call and one playback in the register (set up over
the CLI and the API, as other roles would have done), then records_browser.js drives the page
in headless Chromium: register by dates, print, CSV/PDF export, verify; a disclosure filed,
approved (the director's own session), built, downloaded as a ZIP and purged; a legal hold
placed and lifted; a data subject's recordings restricted and erased with confirmation; the
auditor's read-only register with verify. Screenshots per step and axe-core after each
(serious/critical findings fail) in <build>/test-output/records-browser/. SKIP (77) without
chromium, node/npm or the npm packages."""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "access"))
sys.path.insert(0, os.path.join(HERE, "..", "policy"))
from browser_npm import chromium, node_modules  # noqa: E402
from harness import BIN, wait_for  # noqa: E402
from export_purge_test import NUMBER_B, office_node, scenario_for, sipp  # noqa: E402
from records_api_test import Api  # noqa: E402

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def main():
    if not shutil.which("sipp") or not shutil.which("sox"):
        print("SKIP: sipp and sox are needed")
        return 77
    modules, why = node_modules()
    if modules is None:
        print(f"SKIP: {why}")
        return 77
    os.environ.pop("KRONIKA_MASTER_KEY_FILE", None)
    os.environ.pop("KRONIKA_HTTP_TLS_CERT", None)
    out = os.path.join(os.environ.get("KRONIKA_BUILD", "/tmp"), "test-output", "records-browser")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    work, config, node, tok = office_node("kronika-records-browser-", check)
    for user, role in [("anna", "listener"), ("audit", "auditor")]:
        subprocess.run([BIN, "user", "add", user, "--role", role, "--name", user.title(), "--surname", "Nowak",
                        "--position", "Inspektor", "--config", config], check=True, capture_output=True)
        tok[user] = subprocess.run([BIN, "user", "token", user, "--config", config], check=True,
                                   capture_output=True, text=True).stdout.split()[0]
    try:
        node.start()
        api = Api(node.http_port)
        check(sipp(node, scenario_for(node, NUMBER_B)), "a call recorded")
        rec = wait_for("a completed recording", lambda: (api.json("GET", "/api/v1/recordings?state=completed",
                                                                  tok["jan"])[1] or {}).get("recordings"))[0]
        rid = rec["recording_id"]
        # One playback in the register: the listener's and the director's part of the work.
        s, req = api.json("POST", "/api/v1/playback-requests", tok["anna"],
                          {"recording_ids": [rid], "reason": "e", "justification": "skarga 1/2026"})
        api.json("POST", f"/api/v1/playback-requests/{req['id']}/decision", tok["ewa"], {"granted": True})
        api.json("POST", f"/api/v1/playback-requests/{req['id']}/informed", tok["jan"],
                 {"recording_id": rid, "how": "in person"})
        s, _, _ = api.call("GET", f"/api/v1/recordings/{rid}/audio", tok["anna"])
        check(s == 200, f"a playback in the register ({s})")
        env = dict(os.environ, KRONIKA_URL=f"http://127.0.0.1:{node.http_port}", KRONIKA_TOKENS=json.dumps(tok),
                   KRONIKA_REC=rid, KRONIKA_NUMBER=NUMBER_B, KRONIKA_OUT=out, CHROMIUM=chromium(),
                   NODE_PATH=modules)
        r = subprocess.run(["node", os.path.join(HERE, "records_browser.js")], env=env, timeout=600)
        check(r.returncode == 0, f"the browser workflows (exit {r.returncode}; screenshots in {out})")
    finally:
        node.stop()
    if failures:
        print(node.log_tail(4000))
        return 1
    print("records browser checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
