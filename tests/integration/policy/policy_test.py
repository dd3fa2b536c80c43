#!/usr/bin/env python3
"""Recording policy against a real daemon (issue 7).

A real `kronika serve` with a site file; SIPp places tests/integration/ops/uac-short-call.xml
calls (caller +48221234567, office extension 200). Checks:
  CONSENT-3  a number put on the do-not-record list with `kronika dnr add` while the daemon
             runs is not recorded (refused with the site's reject_status, nothing stored);
  SCOPE-2    a site whose schedule is closed now does not record (counted by reason);
  RET-1      a stored recording carries its expiry and a consent event;
  RET-2      `kronika hold place/list/lift` against the running daemon's data dir; a held
             recording survives `kronika retention sweep` past its expiry (stopped daemon),
             and goes at the first sweep after the hold is lifted.
"""
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import SOURCE, Kronika, free_udp_tcp_port, make_tone_wav  # noqa: E402
from policy_util import check, cli, failures, stored, write_site_config  # noqa: E402

SCENARIO = os.path.join(SOURCE, "tests/integration/ops/uac-short-call.xml")

SITE = """
[site]
id = "{id}"
name = "test"
time_zone = "CET-1CEST,M3.5.0,M10.5.0/3"
[numbers]
country_code = "48"
national_number_length = 9
internal_prefixes = []
internal_ranges = [{{ first = "200", last = "299" }}]
extension_lengths = [3]
[scope]
incoming = true
outgoing = true
internal = false
not_recorded = "reject"
reject_status = 603
do_not_record = []
[hours]
always = {always}
mon = [{window}]
tue = [{window}]
wed = [{window}]
thu = [{window}]
fri = [{window}]
sat = [{window}]
sun = [{window}]
holidays = []
[consent]
incoming = "announcement"
outgoing = "employee-statement"
internal = "unknown"
info_clause_dtmf = "*"
[retention]
months = 1
sweep_max_gap_hours = 168
sweep_clock_tolerance_s = 600
[quota]
limit_mib = 0
warn_percent = 90
at_limit = "evict-oldest"
"""





def call(node, work):
    r = subprocess.run(["sipp", "-sf", SCENARIO, "-m", "1", "-p", str(free_udp_tcp_port()), "-i", "127.0.0.1",
                        "-timeout", "20s", "-timeout_error", "-nostdin", f"127.0.0.1:{node.sip_port}"],
                       cwd=work, capture_output=True, text=True)
    return r.returncode == 0


def daemon(work, site_id, always):
    # A 30-minute daily window about 12 hours away from now: closed now.
    hour = (time.gmtime().tm_hour + 12) % 24
    window = f'"{hour:02d}:00-{hour:02d}:30"'
    config = write_site_config(work, site_id, SITE.format(id=site_id, always="true" if always else "false",
                                                          window=window))
    return Kronika(work=os.path.join(work, site_id), extra_args=("--config", config)), config




def main():
    if not shutil.which("sipp"):
        print("SKIP: sipp not installed")
        return 77
    work = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"kronika-policy-it-{os.getpid()}")
    os.makedirs(work, exist_ok=True)
    make_tone_wav(os.path.join(work, "tone.wav"))

    # --- an open site: record, then do-not-record, then holds and sweeps -------------------
    node, config = daemon(work, "open", True)
    os.makedirs(node.work, exist_ok=True)
    shutil.copy(os.path.join(work, "tone.wav"), node.work)
    data = node.data_dir
    try:
        node.start()
        check(call(node, node.work), "a call in scope is answered (SIPp scenario passes)")
        node.stop(); node.start()  # flushes the store
        rows = stored(data)
        check(len(rows) == 1, f"one recording stored (got {len(rows)})")
        code, out = cli("show", rows[0]["recording_id"], "--data-dir", data, "--json") if rows else (1, "")
        check(code == 0 and '"consent"' in out, "RET-1/CONSENT-1: the recording has a consent event")
        code, out = cli("subject", "find", "+48221234567", "--config", config)
        check(code == 0 and "expires 20" in out and "1 recording(s)" in out,
              "RIGHTS-1: subject find lists it with its expiry in UTC and the site zone")

        code, out = cli("dnr", "add", "+48 22 123 45 67", "--by", "iod", "--reason", "objection", "--config", config)
        check(code == 0, "dnr add while the daemon runs: " + out.strip())
        check(not call(node, node.work), "CONSENT-3: a do-not-record caller is refused")
        check((node.metric("kronika_policy_decisions_total", {"reason": "do-not-record"}) or 0) == 1,
              "kronika_policy_decisions_total{reason=do-not-record} = 1")

        rid = rows[0]["recording_id"] if rows else "none"
        code, out = cli("hold", "place", rid, "--case", "II K 1/26", "--by", "prokurator", "--config", config)
        check(code == 0, "hold place against the running daemon's data dir: " + out.strip())
        code, out = cli("hold", "list", "--config", config)
        check(rid in out and "II K 1/26" in out, "hold list shows the hold")
    finally:
        node.stop()
    print(node.log_tail(1500))

    far = "2099-01-01T00:00:00Z"
    code, out = cli("retention", "sweep", "--now", far, "--confirm-clock", "--config", config)
    check(code == 0 and "deleted 0 expired, kept 1 on hold" in out, "RET-2: held recording survives the sweep: " + out.strip())
    check(len(stored(data)) == 1, "still stored")
    code, out = cli("hold", "lift", rid, "--case", "II K 1/26", "--by", "sad", "--reason", "wyrok", "--config", config)
    check(code == 0, "hold lift: " + out.strip())
    code, out = cli("retention", "sweep", "--now", far, "--confirm-clock", "--config", config)
    check(code == 0 and "deleted 1 expired" in out, "RET-3: deleted at the first sweep after the lift: " + out.strip())
    check(len(stored(data)) == 0, "nothing stored any more")
    code, out = cli("retention", "log", "--config", config)
    check(rid in out and "retention-expired" in out, "deletion log names the recording and the rule")
    code, out = cli("retention", "log", "--limit", "ten", "--config", config)
    check(code == 2 and "--limit" in out and "ten" in out,
          "a bad --limit is a usage error, not a crash: " + out.strip())

    # --- a site closed now: out of hours, not recorded -----------------------------------
    closed, _ = daemon(work, "closed", False)
    os.makedirs(closed.work, exist_ok=True)
    shutil.copy(os.path.join(work, "tone.wav"), closed.work)
    try:
        closed.start()
        check(not call(closed, closed.work), "SCOPE-2: a call outside working hours is refused")
        check((closed.metric("kronika_policy_decisions_total", {"decision": "not-recorded"}) or 0) == 1,
              "kronika_policy_decisions_total{decision=not-recorded} = 1")
    finally:
        closed.stop()
    check(len(stored(closed.data_dir)) == 0, "nothing stored at the closed site")

    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
