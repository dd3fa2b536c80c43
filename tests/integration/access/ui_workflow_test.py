#!/usr/bin/env python3
"""The web page's workflows in headless Chromium against a real daemon (issue 16 items 3 and 5).

Set-up only through the CLI (users, two recorded SIPp calls; later an early deletion and a
restriction, as the records keeper would do them); everything else is done in the page by
clicking and typing, driven by ui_workflow.cjs (puppeteer-core against Debian's chromium):
the listener files an ordinary request with the protocol's fields and a caller's request
(ACCESS-3, ACCESS-5, REG-2) seeing masked numbers; the approver is shown which opinions are
missing; the DPO and the head of unit give theirs with text; the approver approves with a note,
a validity and a confirmation step and records how the employee was informed (ACCESS-4); the
listener sees the numbers and plays the recording, which makes one register entry (REG-1);
Play is not offered for an erased or a restricted recording (RET-4, RIGHTS-3). axe-core runs on
every state and fails the test on a serious or critical finding (WCAG 2.1 AA).

Screenshots, one per step, go to $KRONIKA_BUILD/test-output/access-ui-workflow/. The npm
packages (pinned in browser_npm.py) are installed at test time into a cache (browser_npm.py);
without npm, node or chromium the test is skipped (77)."""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from browser_npm import chromium, node_modules  # noqa: E402
from harness import BIN, SOURCE, Kronika, free_udp_tcp_port, make_tone_wav, wait_for  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO = os.path.join(SOURCE, "tests/integration/ops/uac-short-call.xml")
CALLER_NUMBER = "+48221234567"  # the caller in uac-short-call.xml's metadata


def main():
    browser = chromium()
    for tool, path in (("sipp", shutil.which("sipp")), ("sox", shutil.which("sox"))):
        if not path:
            print(f"SKIP: {tool} not installed")
            return 77
    # The same pinned puppeteer-core and axe-core as the records page's test (browser_npm.py).
    modules, why_not = node_modules()
    if not modules:
        print("SKIP: " + why_not)
        return 77
    os.environ.pop("KRONIKA_MASTER_KEY_FILE", None)
    os.environ.pop("KRONIKA_HTTP_TLS_CERT", None)
    out_dir = os.path.join(os.environ.get("KRONIKA_BUILD", os.path.join(SOURCE, "build")), "test-output",
                           "access-ui-workflow")
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)

    node = Kronika(config='[office]\nlanguage = "pl"\ntime_zone = "Europe/Warsaw"\n')
    data = node.data_dir
    node.init_data_dir()

    def cli(*args):
        r = subprocess.run([BIN, *args, "--data-dir", data], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"kronika {' '.join(args)}: {r.stdout}{r.stderr}")
        return r.stdout

    def add(user, role, name, surname, position):
        cli("user", "add", user, "--role", role, "--name", name, "--surname", surname, "--position", position)
        return {"token": cli("user", "token", user).strip()}

    users = {
        "listener": add("anna", "listener", "Anna", "Kowalska", "inspektor"),
        "approver": add("ewa", "approver", "Ewa", "Nowak", "dyrektor"),
        "dpo": add("iod", "dpo", "Piotr", "Wiśniewski", "inspektor ochrony danych"),
        "unit_head": add("kier", "unit_head", "Marek", "Zieliński", "kierownik wydziału"),
    }
    try:
        node.start()
        # People sign in with a password where the build has them (`kronika user passwd`),
        # else with their API token (the page's other form).
        if " passwd " in subprocess.run([BIN, "user", "--help"], capture_output=True, text=True).stdout:
            for role, creds in users.items():
                user = {"listener": "anna", "approver": "ewa", "dpo": "iod", "unit_head": "kier"}[role]
                password = f"Haslo-{user}-2026!"
                r = subprocess.run([BIN, "user", "passwd", user, "--password-stdin", "--data-dir", data],
                                   input=password + "\n", capture_output=True, text=True)
                if r.returncode != 0:
                    raise RuntimeError(f"kronika user passwd {user}: {r.stdout}{r.stderr}")
                creds.update(username=user, password=password)
        make_tone_wav(os.path.join(node.work, "tone.wav"))
        for _ in range(2):
            subprocess.run(["sipp", "-sf", SCENARIO, "-m", "1", "-p", str(free_udp_tcp_port()), "-i", "127.0.0.1",
                            "-timeout", "30s", "-timeout_error", "-nostdin", f"127.0.0.1:{node.sip_port}"],
                           cwd=node.work, capture_output=True, text=True)

        def completed():
            rows = json.loads(cli("query", "--state", "completed", "--json"))
            rows = rows.get("recordings", rows) if isinstance(rows, dict) else rows
            return rows if len(rows) >= 2 else None
        rows = wait_for("two completed recordings", completed, timeout=60)
        ids = sorted((r["start_utc"], r["recording_id"]) for r in rows)
        older, newer = ids[0][1], ids[1][1]
        setup = {
            "erase": [BIN, "retention", "delete", newer, "--by", "Jan Gestor", "--reason", "caller's objection",
                      "--data-dir", data],
            "show": [BIN, "show", newer, "--data-dir", data],
            "restrict": [BIN, "subject", "restrict", CALLER_NUMBER, "--by", "Jan Gestor", "--reason",
                         "data subject's request", "--data-dir", data],
        }
        config = {"base": f"http://127.0.0.1:{node.http_port}", "out": out_dir, "chromium": browser,
                  "users": users, "first": older, "second": newer, "caller_number": CALLER_NUMBER,
                  "setup": setup}
        env = dict(os.environ, NODE_PATH=modules)
        r = subprocess.run(["node", os.path.join(HERE, "ui_workflow.cjs"), json.dumps(config)], env=env,
                           capture_output=True, text=True, timeout=600)
        print(r.stdout)
        print(r.stderr[-4000:])
        failed = r.returncode != 0

        # The one playback made one register entry (REG-1), by the listener, for the first
        # recording; the daemon's stop closes the session with the parts the page reported.
        node.stop()
        register = os.path.join(data, "access", "register.jsonl")
        lines = [json.loads(line) for line in open(register) if line.strip()] if os.path.exists(register) else []
        entries = [e for e in lines if e.get("kind", "") != "playback_parts"]
        closing = [e for e in lines if e.get("kind", "") == "playback_parts"]
        one = len(entries) == 1 and entries[0].get("recording_id") == older \
            and entries[0].get("listener", {}).get("username") == "anna"
        print(("ok   " if one else "FAIL ") + f"one register entry for the playback ({len(entries)})")
        reported = len(closing) == 1 and bool(closing[0].get("parts_played"))
        print(("ok   " if reported else "FAIL ") + f"the session's closing line has the parts played ({closing})")
        failed = failed or not one or not reported
    finally:
        node.stop()
    if failed:
        print(node.log_tail(3000))
        return 1
    print(f"UI workflow passed; screenshots in {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
