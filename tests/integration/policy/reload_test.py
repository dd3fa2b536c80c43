#!/usr/bin/env python3
"""SIGHUP reloads the configuration of a running daemon (issue 15 item 5), with SIPp calls.

  1. An outgoing call in scope is recorded.
  2. The site file is edited (outgoing calls no longer recorded: answered and dropped), the
     config file's log level is raised and a restart-only setting changed; SIGHUP: the daemon
     stays up, logs the new site policies, the new log level and "takes effect after a
     restart" naming the restart-only setting; kronika_config_reloads_total{applied} = 1.
  3. The next outgoing call is answered and followed to its BYE but not stored
     (kronika_policy_decisions_total{not-recorded, outgoing-excluded} = 1).
  4. A site file broken by a typo and SIGHUP: the daemon stays up, says the policies in use
     stay, counts {failed} = 1; the next call is still answered and dropped.
  5. SIGTERM: exit 0, one recording stored, no .part left behind.
Before this, SIGHUP's default action ended the daemon (exit 129, no BYE, a .part left).
"""
import os
import re
import shutil
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from harness import make_tone_wav, wait_for  # noqa: E402
from policy_sip_test import POLICY_CALL, SITE, daemon, files_under, sipp  # noqa: E402
from policy_util import check, failures, stored  # noqa: E402

OUTGOING = [("caller", "200"), ("callee", "+48221239999"), ("consent", "announcement")]


def site_text(site_id, outgoing, not_recorded):
    text = SITE.format(id=site_id, not_recorded=not_recorded, limit_mib=0, at_limit="refuse-new")
    return text.replace("outgoing = true", f"outgoing = {'true' if outgoing else 'false'}")


def reloads(node, result):
    return node.metric("kronika_config_reloads_total", {"result": result}) or 0


def main():
    if not shutil.which("sipp"):
        print("SKIP: sipp not installed")
        return 77
    work = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"kronika-reload-it-{os.getpid()}")
    os.makedirs(work, exist_ok=True)
    make_tone_wav(os.path.join(work, "tone.wav"))
    node, config = daemon(work, "hup", not_recorded="answer-and-drop")
    site_file = os.path.join(work, "hup.toml")
    code = None
    try:
        node.start()
        check(sipp(node, POLICY_CALL, keys=OUTGOING), "1. an outgoing call in scope is answered")
        wait_for("the first recording stored",
                 lambda: [r for r in stored(node.data_dir) if r.get("state") == "completed"])

        with open(site_file, "w") as f:
            f.write(site_text("hup", outgoing=False, not_recorded="answer-and-drop"))
        with open(config) as f:
            text = f.read()
        with open(config, "w") as f:
            f.write(text + '[log]\nlevel = "debug"\n[media]\nworkers = 3\n')
        node.proc.send_signal(signal.SIGHUP)
        wait_for("the reload logged", lambda: "reload: site policies read again: hup" in node.log_tail(50000))
        time.sleep(0.3)
        log = node.log_tail(50000)
        check(node.alive(), "2. SIGHUP: the daemon is still running")
        check("reload: log.level info -> debug" in log, "2. the new log level is taken over and logged")
        check(re.search(r"takes effect after a restart: .*media\.workers", log) is not None,
              "2. the restart-only setting is named as waiting for a restart")
        check(reloads(node, "applied") == 1, "2. kronika_config_reloads_total{result=applied} = 1")

        check(sipp(node, POLICY_CALL, keys=OUTGOING), "3. the next outgoing call is answered and followed to its BYE")
        check((node.metric("kronika_policy_decisions_total",
                           {"decision": "not-recorded", "reason": "outgoing-excluded"}) or 0) == 1,
              "3. the reloaded site decided it: not-recorded, outgoing-excluded = 1")

        with open(site_file, "w") as f:
            f.write(site_text("hup", outgoing=True, not_recorded="answer-and-drop").replace("[retention]", "[retension]"))
        node.proc.send_signal(signal.SIGHUP)
        wait_for("the failed reload logged", lambda: "the site policies in use stay" in node.log_tail(50000))
        check(node.alive(), "4. a broken site file: the daemon is still running")
        check(reloads(node, "failed") == 1, "4. kronika_config_reloads_total{result=failed} = 1")
        check(sipp(node, POLICY_CALL, keys=OUTGOING), "4. the next call is answered")
        check((node.metric("kronika_policy_decisions_total",
                           {"decision": "not-recorded", "reason": "outgoing-excluded"}) or 0) == 2,
              "4. the policies in use stayed: that call was not recorded either")
    finally:
        code = node.stop()
    check(code == 0, f"5. SIGTERM: exit 0 (got {code})")
    rows = stored(node.data_dir)
    check(len(rows) == 1, f"5. one recording stored, the call before the reload (got {len(rows)})")
    parts = [p for p in files_under(node.data_dir) if p.endswith(".part")]
    check(not parts, f"5. no .part file left behind (got {parts})")
    if failures:
        print("--- server log ---\n" + node.log_tail(6000))
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
