#!/usr/bin/env python3
"""Recording policy at the SIP edge against a real daemon (issue 7), with SIPp.

  SCOPE-1/5, CONSENT-3  a site with not_recorded = "answer-and-drop": an internal call and
             a do-not-record caller are answered 200 (re-INVITE, UPDATE, BYE too: the SIPp
             scenario passes), nothing appears in `kronika query`, no file under the
             recordings directory, kronika_policy_decisions_total counts each by reason,
             and the "not recorded" log lines carry no participant number;
  CONSENT-1  an outgoing call whose metadata extension data says
             <consent>announcement</consent> is stored with basis announcement from the SRC
             metadata (the site default for outgoing calls is the employee statement);
  RET-2      a hold placed with `kronika hold place` stops the access API's DELETE (409,
             the store's legal_hold mirror shows it); after `hold lift` the DELETE works and
             the deletion log names it (RET-4 early deletion with requester and reason);
  RET-5      a refuse-new site whose finished recordings reach its quota refuses the next
             INVITE at once (no sweep in between) with 503, Retry-After and a Warning; an
             evict-oldest site whose finished recordings cross the limit has its oldest
             recordings evicted at once (the sweeper is woken; its interval is an hour).
"""
import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sip"))
from harness import SOURCE, Kronika, free_udp_tcp_port, make_tone_wav, wait_for  # noqa: E402
from policy_util import check, cli, failures, siprec_body, stored, write_site_config  # noqa: E402
from sip_client import Dialog, SipClient  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
POLICY_CALL = os.path.join(HERE, "uac-policy-call.xml")
SHORT_CALL = os.path.join(SOURCE, "tests/integration/ops/uac-short-call.xml")
MiB = 1024 * 1024

SITE = """
[site]
id = "{id}"
time_zone = "CET-1CEST,M3.5.0,M10.5.0/3"
[numbers]
country_code = "48"
national_number_length = 9
internal_ranges = [{{ first = "200", last = "299" }}]
extension_lengths = [3]
[scope]
incoming = true
outgoing = true
internal = false
not_recorded = "{not_recorded}"
reject_status = 603
[hours]
always = true
[consent]
incoming = "announcement"
outgoing = "employee-statement"
internal = "unknown"
[retention]
months = 3
[quota]
limit_mib = {limit_mib}
warn_percent = 50
at_limit = "{at_limit}"
refuse_status = 503
retry_after_s = 300
"""





def sipp(node, scenario, calls=1, keys=()):
    args = ["sipp", "-sf", scenario, "-m", str(calls), "-r", "10", "-l", str(calls),
            "-p", str(free_udp_tcp_port()), "-i", "127.0.0.1", "-timeout", "30s", "-timeout_error", "-nostdin"]
    for k, v in keys:
        args += ["-key", k, v]
    r = subprocess.run(args + [f"127.0.0.1:{node.sip_port}"], cwd=node.work, capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stdout[-1500:], r.stderr[-1500:])
    return r.returncode == 0


def daemon(work, site_id, not_recorded="reject", limit_mib=0, extra="", at_limit="refuse-new"):
    os.makedirs(os.path.join(work, site_id), exist_ok=True)
    config = write_site_config(work, site_id, SITE.format(id=site_id, not_recorded=not_recorded,
                                                          limit_mib=limit_mib, at_limit=at_limit), extra)
    node = Kronika(work=os.path.join(work, site_id), rtp_ports=100, extra_args=("--config", config))
    shutil.copy(os.path.join(work, "tone.wav"), node.work)
    return node, config




def http(node, method, path, token):
    req = urllib.request.Request(f"http://127.0.0.1:{node.http_port}{path}", method=method)
    req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def files_under(path):
    found = []
    for root, _, names in os.walk(path):
        found += [os.path.join(root, n) for n in names]
    return found


def main():
    if not shutil.which("sipp"):
        print("SKIP: sipp not installed")
        return 77
    work = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"kronika-policy-sip-it-{os.getpid()}")
    os.makedirs(work, exist_ok=True)
    make_tone_wav(os.path.join(work, "tone.wav"))

    # --- answer-and-drop ----------------------------------------------------------------
    node, config = daemon(work, "drop", not_recorded="answer-and-drop")
    try:
        node.start()
        check(sipp(node, POLICY_CALL, keys=[("caller", "201"), ("callee", "200"), ("consent", "unknown")]),
              "SCOPE-1 answer-and-drop: an internal call gets 200, its re-INVITE, UPDATE and BYE 200")
        check((node.metric("kronika_policy_decisions_total",
                           {"decision": "not-recorded", "reason": "internal-excluded"}) or 0) == 1,
              "kronika_policy_decisions_total{not-recorded, internal-excluded} = 1")
        code, out = cli("dnr", "add", "+48 22 123 45 67", "--by", "iod", "--reason", "objection", "--config", config)
        check(code == 0, "dnr add: " + out.strip())
        check(sipp(node, POLICY_CALL, keys=[("caller", "+48221234567"), ("callee", "200"), ("consent", "unknown")]),
              "CONSENT-3 answer-and-drop: a do-not-record caller's session is answered and followed to its BYE")
        check((node.metric("kronika_policy_decisions_total", {"reason": "do-not-record"}) or 0) == 1,
              "kronika_policy_decisions_total{reason=do-not-record} = 1")
        check((node.metric("kronika_sessions_active") or 0) == 0, "no recording session counted as active")
        # CONSENT-1 on the same node: an outgoing call in scope, the SRC says the announcement played.
        check(sipp(node, POLICY_CALL, keys=[("caller", "200"), ("callee", "+48221239999"), ("consent", "announcement")]),
              "an outgoing call in scope is recorded")

        # RET-2 on the access module's DELETE: the hold lives in the policy db.
        kept = wait_for("the recording stored", lambda: [r for r in stored(node.data_dir) if r.get("state") == "completed"])
        rid = kept[0]["recording_id"]
        code, out = cli("user", "add", "keeper", "--role", "records_keeper", "--name", "Ewa", "--surname", "Kowal",
                        "--position", "Archivist", "--data-dir", node.data_dir)
        check(code == 0, "user add keeper: " + out.strip())
        code, token = cli("user", "token", "keeper", "--data-dir", node.data_dir)
        token = token.strip().splitlines()[0] if token.strip() else ""
        code, out = cli("hold", "place", rid, "--case", "II K 7/26", "--by", "prokurator", "--config", config)
        check(code == 0, "hold place: " + out.strip())
        code, out = cli("show", rid, "--data-dir", node.data_dir, "--json")
        check(code == 0 and json.loads(out).get("legal_hold") is True, "the store's legal_hold mirror shows the hold")
        status, body = http(node, "DELETE", f"/api/v1/recordings/{rid}?reason=relevance+questioned", token)
        check(status == 409 and "legal hold" in body and "II K 7/26" in body,
              f"RET-2: access DELETE of a held recording refused 409 (got {status} {body.strip()})")
        check(os.path.exists(kept[0]["file_path"]) or any(rid in p for p in files_under(node.data_dir)),
              "the held recording's audio is still there")
        code, out = cli("hold", "lift", rid, "--case", "II K 7/26", "--by", "sad", "--reason", "umorzenie",
                        "--config", config)
        check(code == 0, "hold lift: " + out.strip())
        status, body = http(node, "DELETE", f"/api/v1/recordings/{rid}?reason=relevance+questioned", token)
        check(status == 200, f"after the lift the DELETE works (got {status} {body.strip()})")
        code, out = cli("retention", "log", "--config", config)
        check(rid in out and "early-deletion" in out and "keeper" in out,
              "RET-4: the deletion log names the recording, the rule and the requester")
        check(sipp(node, POLICY_CALL, keys=[("caller", "200"), ("callee", "+48221239999"), ("consent", "announcement")]),
              "another outgoing call in scope is recorded")
    finally:
        node.stop()
    log = node.log_tail(200000)
    rows = stored(node.data_dir)
    check(len(rows) == 1, f"only the call in scope is stored (got {len(rows)})")
    audio = [p for p in files_under(os.path.join(node.data_dir, "recordings")) if ".opus" in p]
    check(len(audio) == 1, f"one audio file under recordings, the recorded call's (got {audio})")
    dropped = [line for line in log.splitlines() if "not recorded" in line]
    check(len(dropped) == 2 and all("answered" in line for line in dropped),
          f"two 'not recorded (answered ...)' log lines (got {len(dropped)})")
    check(not any("221234567" in line or "201" in line.split("Call-ID")[0] for line in dropped),
          "the not-recorded log lines carry no participant number")
    if rows:
        code, out = cli("show", rows[0]["recording_id"], "--data-dir", node.data_dir, "--json")
        consent = [e for e in json.loads(out).get("timeline", []) if e.get("kind") == "consent"] if code == 0 else []
        detail = consent[0].get("detail", "") if consent else ""
        check(detail.startswith("announcement (src-metadata, outgoing)") and "consent=announcement" in detail,
              "CONSENT-1: basis from the metadata extension data: " + detail)

    # --- quota refuse-new, per INVITE ------------------------------------------------------
    # 510 kbit/s Opus: a 2.5 s call is ~70 KB, twenty of them pass 1 MiB.
    quota, _ = daemon(work, "quota", limit_mib=1, extra="[media]\nopus_bitrate = 510000\n")
    try:
        quota.start()
        check(sipp(quota, SHORT_CALL, calls=20), "twenty calls recorded under a 1 MiB refuse-new quota")
        try:
            filled = wait_for("quota usage past the limit",
                              lambda: (quota.metric("kronika_quota_used_bytes", {"site": "quota"}) or 0) >= MiB,
                              timeout=20)
        except AssertionError:
            filled = False
        check(filled, "kronika_quota_used_bytes{site=quota} reached the limit without a sweep")
        check((quota.metric("kronika_quota_warning", {"site": "quota"}) or 0) == 1, "kronika_quota_warning = 1")
        client = SipClient("udp", "127.0.0.1", quota.sip_port)
        dialog = Dialog(client)
        body, content_type = siprec_body("+48221234567", "200")
        responses = dialog.invite(body, content_type)
        final = responses[-1] if responses else None
        if final is not None:
            dialog.ack(final)
        client.close()
        check(final is not None and final.status == 503, f"RET-5: the next INVITE is refused 503 (got {final})")
        check(final is not None and final.header("retry-after") == "300", "with Retry-After: 300")
        warning = (final.header("warning") or "") if final else ""
        check("storage full" in warning and "RET-5" in warning, "and a Warning naming the quota: " + warning)
        check((quota.metric("kronika_policy_decisions_total", {"reason": "quota-full"}) or 0) == 1,
              "kronika_policy_decisions_total{reason=quota-full} = 1")
    finally:
        quota.stop()
    check(len(stored(quota.data_dir)) == 20, "the refused call left nothing in the store")

    # --- quota evict-oldest: crossing the limit wakes the sweeper -----------------------------
    evict, evict_config = daemon(work, "evict", limit_mib=1, at_limit="evict-oldest",
                                 extra="[media]\nopus_bitrate = 510000\n")
    try:
        evict.start()
        check(sipp(evict, SHORT_CALL, calls=20), "twenty calls recorded under a 1 MiB evict-oldest quota")
        try:
            evicted = wait_for("quota eviction", lambda: (evict.metric("kronika_retention_deletions_total",
                                                                       {"cause": "quota-eviction"}) or 0) >= 1,
                               timeout=30)
        except AssertionError:
            evicted = False
        check(evicted, "RET-5: the oldest recordings are evicted without waiting for the hourly sweep")
        used = evict.metric("kronika_quota_used_bytes", {"site": "evict"}) or 0
        check(0 < used <= MiB, f"usage back under the limit after the eviction ({used} bytes)")
    finally:
        evict.stop()
    left = stored(evict.data_dir)
    check(0 < len(left) < 20, f"some recordings evicted, the newest kept ({len(left)} of 20 left)")
    code, out = cli("retention", "log", "--config", evict_config)
    check(code == 0 and "quota-eviction" in out, "the deletion log names the quota eviction")

    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
