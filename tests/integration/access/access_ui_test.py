#!/usr/bin/env python3
"""The /ui/ page in headless Chromium against a real daemon (issue 8 part 6):
an approver approves a pending request by clicking "Approve", and a listener plays the
approved recording by clicking "Play": the audio arrives and the listening register gets its
entry automatically (REG-1). Chromium runs the page's own JavaScript; the test only signs in
with a token in the URL fragment and names the button to click."""
import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import BIN, SOURCE, Kronika, free_udp_tcp_port, make_tone_wav, wait_for  # noqa: E402

SCENARIO = os.path.join(SOURCE, "tests/integration/ops/uac-short-call.xml")


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def main():
    browser = chromium()
    for tool, path in (("chromium", browser), ("sipp", shutil.which("sipp")), ("sox", shutil.which("sox"))):
        if not path:
            print(f"SKIP: {tool} not installed")
            return 77
    os.environ.pop("KRONIKA_MASTER_KEY_FILE", None)
    os.environ.pop("KRONIKA_HTTP_TLS_CERT", None)
    node = Kronika()
    data = node.data_dir
    node.init_data_dir()
    failures = []

    def check(cond, what):
        print(("ok   " if cond else "FAIL ") + what)
        if not cond:
            failures.append(what)

    def add(user, role):
        subprocess.run([BIN, "user", "add", user, "--role", role, "--name", user.title(), "--surname", "Test",
                        "--position", role, "--data-dir", data], check=True, capture_output=True)
        return subprocess.run([BIN, "user", "token", user, "--data-dir", data], check=True,
                              capture_output=True, text=True).stdout.strip()

    tok = {"listener": add("anna", "listener"), "director": add("ewa", "approver"),
           "keeper": add("jan", "records_keeper")}

    def api(method, path, token, body=None):
        req = urllib.request.Request(f"http://127.0.0.1:{node.http_port}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def page(token, click):
        profile = os.path.join(node.work, "chromium-profile")
        url = f"http://127.0.0.1:{node.http_port}/ui/#token={token}&click={urllib.request.quote(click)}"
        r = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            f"--user-data-dir={profile}", "--virtual-time-budget=15000", "--dump-dom", url],
                           capture_output=True, text=True, timeout=120)
        return r.stdout

    try:
        node.start()
        make_tone_wav(os.path.join(node.work, "tone.wav"))
        subprocess.run(["sipp", "-sf", SCENARIO, "-m", "1", "-p", str(free_udp_tcp_port()), "-i", "127.0.0.1",
                        "-timeout", "30s", "-timeout_error", "-nostdin", f"127.0.0.1:{node.sip_port}"],
                       cwd=node.work, capture_output=True, text=True)
        rec = wait_for("a completed recording", lambda: api("GET", "/api/v1/recordings?state=completed",
                                                             tok["keeper"])[1].get("recordings"), timeout=30)[0]
        rid = rec["recording_id"]
        s, req = api("POST", "/api/v1/playback-requests", tok["listener"],
                     {"recording_ids": [rid], "reason": "a", "justification": "complaint via web"})
        check(s == 201, f"request filed ({s})")
        prid = req["id"]

        dom = page(tok["director"], f'tr[data-id="{prid}"] button')
        s, after = api("GET", f"/api/v1/playback-requests/{prid}", tok["director"])
        check(after.get("status") == "approved", f"UI: approver's click on Approve approved {prid} ({after.get('status')})")
        check(f"approved {prid}" in dom, "UI: page shows the approval")

        s, _ = api("POST", f"/api/v1/playback-requests/{prid}/informed", tok["keeper"],
                   {"recording_id": rid, "how": "in person"})
        check(s == 200, "employee marked informed")

        dom = page(tok["listener"], "button.play")
        check(f'data-played="{rid}"' in dom, "UI: listener's click on Play fetched the audio")
        check("register entry 1" in dom, "UI: page names the register entry")
        s, reg = api("GET", "/api/v1/register", tok["keeper"])
        entries = reg.get("entries", [])
        check(len(entries) == 1 and entries[0]["recording_id"] == rid and entries[0]["listener"]["username"] == "anna"
              and entries[0]["bytes"]["from"] == 0 and entries[0]["bytes"]["to"] == entries[0]["bytes"]["total"] - 1,
              f"REG-1 one register entry for the whole file ({len(entries)})")
    finally:
        node.stop()
    if failures:
        print(node.log_tail(3000))
        return 1
    print("UI checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
