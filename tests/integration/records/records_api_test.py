#!/usr/bin/env python3
"""The records keeper's and the auditor's HTTP API (issue 16 item 3), on a real daemon with a
site policy, real SIPp recordings and real tokens. One test per route group, each run in turn
on the same daemon:

- register: REG-1..3 - the register between two of the office's local dates (Europe/Warsaw):
  today holds the one playback, tomorrow and yesterday none; CSV and PDF come as downloads
  named after the dates, HTML inline; bad dates 400; the auditor reads and verifies, a
  listener may not; each export is logged with the user.
- disclosures: DISC-1..3 - file, approve, build, download the package as one ZIP whose files
  match the package's own MANIFEST.sha256; only the records keeper downloads; a package
  altered on disk is not served; purge removes the packages and records who and why.
- holds: RET-2 - place and lift over HTTP are the daemon's own acts (the CLI sees them), by
  the signed-in user; the auditor reads, others may not change them.
- subjects: RIGHTS-1..3 - find a number's recordings; erasure and restriction need the number
  repeated as confirmation; erasure keeps the held recording and erases the other.
"""
import datetime
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "access"))
sys.path.insert(0, os.path.join(HERE, "..", "policy"))
from harness import BIN, wait_for  # noqa: E402
from export_purge_test import NUMBER_A, NUMBER_B, office_node, scenario_for, sipp  # noqa: E402

OFFICE_ZONE = ZoneInfo("Europe/Warsaw")  # the default [office] time_zone
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

    def call(self, method, path, token, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + token)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def json(self, method, path, token, body=None):
        s, _, raw = self.call(method, path, token, body)
        try:
            return s, json.loads(raw)
        except ValueError:
            return s, None


def register_group(api, tok, node, rid):
    """REG-1..3 by local dates."""
    s, req = api.json("POST", "/api/v1/playback-requests", tok["anna"],
                      {"recording_ids": [rid], "reason": "e", "justification": "complaint 1/2026"})
    check(s == 201, f"playback request filed ({s})")
    s, _ = api.json("POST", f"/api/v1/playback-requests/{req['id']}/decision", tok["ewa"], {"granted": True})
    check(s == 200, f"approved ({s})")
    s, _ = api.json("POST", f"/api/v1/playback-requests/{req['id']}/informed", tok["jan"],
                    {"recording_id": rid, "how": "in person"})
    check(s == 200, f"employee informed ({s})")
    s, _, audio = api.call("GET", f"/api/v1/recordings/{rid}/audio", tok["anna"])
    check(s == 200 and audio[:4] == b"OggS", f"played ({s})")

    s, reg = api.json("GET", "/api/v1/register", tok["jan"])
    check(s == 200 and reg["count"] == 1, f"REG-1 one register entry ({s}, {reg})")
    listened = datetime.datetime.fromisoformat(reg["entries"][0]["listened_at_utc"].replace("Z", "+00:00"))
    day = listened.astimezone(OFFICE_ZONE).date()  # the office's date of the playback, by Python's tzdata
    d = day.isoformat()
    before, after = (day - datetime.timedelta(days=1)).isoformat(), (day + datetime.timedelta(days=1)).isoformat()
    for query, expected in ((f"from={d}&to={d}", 1), (f"from={d}", 1), (f"to={d}", 1), (f"from={after}", 0),
                            (f"to={before}", 0), (f"from={before}&to={before}", 0)):
        s, body = api.json("GET", f"/api/v1/register?{query}", tok["jan"])
        check(s == 200 and body["count"] == expected and body["range"]["time_zone"] == "Europe/Warsaw",
              f"REG-1 register ?{query}: {expected} entries ({s}, {body and body.get('count')})")
    # The range's start is the office's local midnight, in UTC (CET/CEST by Python's tzdata).
    s, body = api.json("GET", f"/api/v1/register?from={d}", tok["jan"])
    midnight = datetime.datetime.combine(day, datetime.time(0), OFFICE_ZONE).astimezone(datetime.timezone.utc)
    check(s == 200 and body["range"]["from_utc"] == midnight.strftime("%Y-%m-%dT%H:%M:%SZ"),
          f"REG-1 from= starts at the office's local midnight ({body and body['range']['from_utc']} vs {midnight})")
    for query in ("from=2026-13-01", "to=yesterday", f"from={after}&to={before}", "format=xml"):
        s, body = api.json("GET", f"/api/v1/register?{query}", tok["jan"])
        check(s == 400, f"REG-1 register ?{query} refused 400 ({s}, {body})")

    s, headers, csv = api.call("GET", f"/api/v1/register?from={d}&to={d}&format=csv", tok["jan"])
    check(s == 200 and headers.get("Content-Disposition") == f'attachment; filename="register-from-{d}-to-{d}.csv"'
          and csv.decode().count("\r\n") == 2, f"REG-1 CSV export is a download of the day ({s}, {headers.get('Content-Disposition')})")
    s, headers, pdf = api.call("GET", f"/api/v1/register?from={d}&format=pdf", tok["jan"])
    check(s == 200 and pdf[:5] == b"%PDF-" and headers.get("Content-Disposition", "").startswith("attachment;"),
          f"REG-2 PDF export is a download ({s})")
    s, headers, html = api.call("GET", f"/api/v1/register?to={before}&format=html", tok["jan"])
    check(s == 200 and headers.get("Content-Type", "").startswith("text/html")
          and headers.get("Content-Disposition", "").startswith("inline;") and rid.encode() not in html,
          f"REG-2 print view of an empty range is inline HTML without the entry ({s})")
    s, _, html = api.call("GET", f"/api/v1/register?from={d}&format=html", tok["jan"])
    check(s == 200 and rid.encode() in html, "REG-2 print view of the day holds the entry")
    check("access: jan read the listening register as csv (1 entries" in node.log_tail(200000),
          "the CSV export is logged with the user")

    s, body = api.json("GET", "/api/v1/register", tok["audit"])
    check(s == 200 and body["count"] == 1, f"the auditor reads the register ({s})")
    s, v = api.json("GET", "/api/v1/register/verify", tok["audit"])
    check(s == 200 and v["ok"] and v["entries"] == 1, f"REG-3 the auditor verifies the register ({s}, {v})")
    check("access: audit verified the listening register: intact" in node.log_tail(200000), "verify is logged")
    for who in ("anna", "ewa"):
        s, _ = api.json("GET", "/api/v1/register", tok[who])
        check(s == 403, f"ACCESS-1 {who} may not read the register ({s})")
    s, _ = api.json("GET", "/api/v1/register/verify", tok["anna"])
    check(s == 403, f"ACCESS-1 a listener may not verify ({s})")

    # The page's texts: Polish by default ([office] language), English on request, the zone.
    s, c = api.json("GET", "/api/v1/ui/catalogue?area=records", "")
    check(s == 200 and c["language"] == "pl" and c["time_zone"] == "Europe/Warsaw"
          and c["messages"].get("Listening register") == "Ewidencja odsłuchań",
          f"the page's catalogue is Polish, in the office's zone ({s}, {c and c.get('language')})")
    s, c = api.json("GET", "/api/v1/ui/catalogue?area=records&lang=en", "")
    check(s == 200 and c["messages"].get("Listening register") == "Listening register", "lang=en gives English")
    check(s == 200 and not any(re.search(r"\b[A-Z]{2,8}-\d+\b", v) for v in c["messages"].values()),
          "no requirement ID in the page's texts")


def disclosure_group(api, tok, node, rid):
    """DISC-1..3: file, approve, build, download as one ZIP, purge."""
    s, d = api.json("POST", "/api/v1/disclosures", tok["jan"],
                    {"requester_institution": "Komenda Miejska Policji", "request_date": "2026-12-01",
                     "request_number": "RSD-7/26", "justification": "proceedings", "recording_ids": [rid]})
    check(s == 201, f"DISC-2 filed ({s})")
    did = d["id"]
    s, _ = api.json("GET", f"/api/v1/disclosures/{did}/package", tok["jan"])
    check(s == 409, f"DISC-3 no package before it is built ({s})")
    s, _ = api.json("POST", f"/api/v1/disclosures/{did}/decision", tok["ewa"], {"granted": True, "note": "zgoda"})
    check(s == 200, f"DISC-1 approved ({s})")
    s, ex = api.json("POST", f"/api/v1/disclosures/{did}/export", tok["jan"])
    check(s == 200, f"DISC-3 built ({s})")
    pkg = ex["package"]

    s, headers, blob = api.call("GET", f"/api/v1/disclosures/{did}/package", tok["jan"])
    check(s == 200 and headers.get("Content-Type") == "application/zip"
          and headers.get("Content-Disposition") == f'attachment; filename="{did}.zip"',
          f"DISC-3 the package downloads as {did}.zip ({s}, {headers.get('Content-Disposition')})")
    try:
        z = zipfile.ZipFile(io.BytesIO(blob))
        names = z.namelist()
        manifest = z.read(f"{did}/MANIFEST.sha256").decode()
        listed = {}
        for line in manifest.splitlines():
            digest, path = line.split("  ", 1)
            listed[path] = digest
        on_disk = sorted(os.path.relpath(os.path.join(r, f), pkg) for r, _, fs in os.walk(pkg) for f in fs)
        check(sorted(n[len(did) + 1:] for n in names) == on_disk, f"the ZIP holds exactly the package's files ({names})")
        check(listed and all(hashlib.sha256(z.read(f"{did}/{p}")).hexdigest() == h for p, h in listed.items()),
              f"every file in the ZIP matches the package's manifest ({len(listed)} files)")
        check(any(n.endswith(".opus") for n in names) and z.testzip() is None, "the ZIP holds the audio and reads whole")
        check(hashlib.sha256(manifest.encode()).hexdigest() == headers.get("X-Kronika-Manifest-Sha256"),
              "X-Kronika-Manifest-Sha256 is the manifest's hash")
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        check(False, f"the download is a ZIP of the package ({e})")
    check(f"access: jan downloaded the package of disclosure {did}" in node.log_tail(200000), "the download is logged")
    for who in ("ewa", "audit"):
        s, _ = api.json("GET", f"/api/v1/disclosures/{did}/package", tok[who])
        check(s == 403, f"ACCESS-1 {who} may not download the package ({s})")

    # A package altered on disk is not handed over.
    s, ex2 = api.json("POST", f"/api/v1/disclosures/{did}/export", tok["jan"])
    check(s == 200, f"DISC-3 built again ({s})")
    with open(os.path.join(ex2["package"], "disclosure.json"), "ab") as f:
        f.write(b" ")
    s, body = api.json("GET", f"/api/v1/disclosures/{did}/package", tok["jan"])
    check(s == 409 and "manifest" in body["error"]["message"], f"DISC-3 an altered package is refused ({s}, {body})")

    s, _ = api.json("POST", f"/api/v1/disclosures/{did}/purge", tok["jan"], {})
    check(s == 400, f"DISC-3 purge without a reason refused ({s})")
    s, _ = api.json("POST", f"/api/v1/disclosures/{did}/purge", tok["ewa"], {"reason": "x"})
    check(s == 403, f"ACCESS-1 an approver may not purge ({s})")
    s, out = api.json("POST", f"/api/v1/disclosures/{did}/purge", tok["jan"], {"reason": "handed over 2026-12-07"})
    check(s == 200 and len(out["purged"]) == 2 and not out["failures"], f"DISC-3 purge removes both packages ({s}, {out})")
    check(not os.path.exists(pkg) and not os.path.exists(ex2["package"]), "the package directories are gone")
    s, d = api.json("GET", f"/api/v1/disclosures/{did}", tok["audit"])
    purged = [e.get("purged") for e in d.get("exports", [])]
    check(s == 200 and all(p and p["by"] == "jan" and p["reason"] == "handed over 2026-12-07" for p in purged),
          f"the disclosure records who purged and why ({purged})")
    s, _ = api.json("GET", f"/api/v1/disclosures/{did}/package", tok["jan"])
    check(s == 409, f"nothing to download after the purge ({s})")
    s, _ = api.json("POST", f"/api/v1/disclosures/{did}/purge", tok["jan"], {"reason": "again"})
    check(s == 409, f"nothing left to purge ({s})")
    s, _ = api.json("POST", "/api/v1/disclosures/DR-999999/purge", tok["jan"], {"reason": "x"})
    check(s == 404, f"unknown disclosure 404 ({s})")


def holds_group(api, tok, config, rid):
    """RET-2 place, list, lift."""
    s, body = api.json("POST", "/api/v1/holds", tok["jan"], {"recording_ids": [rid]})
    check(s == 400, f"RET-2 a hold without a case refused ({s})")
    s, _ = api.json("POST", "/api/v1/holds", tok["audit"], {"recording_ids": [rid], "case": "II K 1/26"})
    check(s == 403, f"ACCESS-1 the auditor may not place a hold ({s})")
    s, body = api.json("POST", "/api/v1/holds", tok["jan"], {"recording_ids": ["01NOSUCHRECORDING00000000"], "case": "X"})
    check(s == 404, f"RET-2 a hold on an unknown recording refused 404 ({s}, {body})")
    s, body = api.json("POST", "/api/v1/holds", tok["jan"], {"recording_ids": [rid], "case": "II K 1/26"})
    check(s == 200 and body["by"] == "jan", f"RET-2 the records keeper places a hold ({s}, {body})")
    s, body = api.json("GET", "/api/v1/holds", tok["audit"])
    check(s == 200 and body["count"] == 1 and body["holds"][0]["placed_by"] == "jan"
          and body["holds"][0]["case"] == "II K 1/26", f"RET-2 the auditor sees the hold ({s}, {body})")
    code, out = cli("hold", "list", "--json", "--config", config)
    check(code == 0 and json.loads(out)["holds"][0]["recording_id"] == rid, "the CLI sees the hold placed over HTTP")
    s, rec = api.json("GET", f"/api/v1/recordings/{rid}", tok["jan"])
    check(s == 200 and rec.get("legal_hold") is True, f"RET-2 the recording's legal_hold flag follows ({rec.get('legal_hold')})")
    s, _ = api.json("GET", "/api/v1/holds", tok["anna"])
    check(s == 403, f"ACCESS-1 a listener may not list holds ({s})")
    return lambda: lift(api, tok, rid)


def lift(api, tok, rid):
    s, _ = api.json("POST", "/api/v1/holds/lift", tok["jan"], {"recording_ids": [rid], "case": "II K 1/26"})
    check(s == 400, f"RET-2 a lift without a reason refused ({s})")
    s, body = api.json("POST", "/api/v1/holds/lift", tok["jan"],
                       {"recording_ids": [rid], "case": "II K 1/26", "reason": "final ruling"})
    check(s == 200 and body["act"] == "lift", f"RET-2 the records keeper lifts the hold ({s}, {body})")
    s, body = api.json("GET", "/api/v1/holds?all=1", tok["jan"])
    check(s == 200 and [a["act"] for a in body["acts"]] == ["place", "lift"] and body["acts"][1]["by"] == "jan"
          and body["acts"][1]["reason"] == "final ruling", f"RET-2 the log holds both acts ({body})")


def subjects_group(api, tok, node, rec_a, rec_b, lift_hold):
    """RIGHTS-1..3 with confirmation."""
    s, body = api.json("GET", "/api/v1/subjects?number=" + urllib.parse.quote(NUMBER_A), tok["jan"])
    check(s == 200 and [r["recording_id"] for r in body["recordings"]] == [rec_a]
          and body["recordings"][0]["hold_cases"] == ["II K 1/26"], f"RIGHTS-1 the number's recordings ({s}, {body})")
    s, _ = api.json("GET", "/api/v1/subjects?number=" + urllib.parse.quote(NUMBER_A), tok["anna"])
    check(s == 403, f"ACCESS-1 a listener may not search a subject ({s})")

    s, body = api.json("POST", "/api/v1/subjects/erasure", tok["jan"], {"number": NUMBER_A, "reason": "art. 17 request 3/26"})
    check(s == 400 and "confirm" in body["error"]["message"], f"RIGHTS-2 erasure without confirmation refused ({s})")
    s, body = api.json("POST", "/api/v1/subjects/erasure", tok["jan"],
                       {"number": NUMBER_A, "reason": "art. 17 request 3/26", "confirm": NUMBER_B})
    check(s == 400, f"RIGHTS-2 erasure confirmed with another number refused ({s})")
    s, _ = api.json("POST", "/api/v1/subjects/erasure", tok["iod"],
                    {"number": NUMBER_A, "reason": "x", "confirm": NUMBER_A})
    check(s == 403, f"ACCESS-1 the DPO does not erase (the records keeper does) ({s})")
    s, body = api.json("POST", "/api/v1/subjects/erasure", tok["jan"],
                       {"number": NUMBER_A, "reason": "art. 17 request 3/26", "confirm": NUMBER_A})
    check(s == 200 and body["erased"] == [] and [k["recording_id"] for k in body["kept"]] == [rec_a],
          f"RIGHTS-2 a held recording is kept, with why ({s}, {body})")
    lift_hold()
    s, body = api.json("POST", "/api/v1/subjects/erasure", tok["jan"],
                       {"number": NUMBER_A, "reason": "art. 17 request 3/26", "confirm": NUMBER_A})
    check(s == 200 and body["erased"] == [rec_a] and body["kept"] == [], f"RIGHTS-2 erased once the hold is lifted ({s}, {body})")
    s, _ = api.json("GET", f"/api/v1/recordings/{rec_a}", tok["jan"])
    check(s == 404, f"RIGHTS-2 the recording is gone ({s})")
    check("access: jan erased a data subject's recordings: 1 erased, 0 kept" in node.log_tail(200000)
          and NUMBER_A not in node.log_tail(200000).split("erased a data subject")[-1][:200],
          "the erasure is logged with the user, without the number")

    s, body = api.json("POST", "/api/v1/subjects/restriction", tok["iod"],
                       {"number": NUMBER_B, "restricted": True, "reason": "art. 18 request 4/26"})
    check(s == 400, f"RIGHTS-3 restriction without confirmation refused ({s})")
    s, body = api.json("POST", "/api/v1/subjects/restriction", tok["jan"],
                       {"number": NUMBER_B, "reason": "art. 18 request 4/26", "confirm": NUMBER_B})
    check(s == 400, f"RIGHTS-3 restricted: true/false required ({s})")
    s, body = api.json("POST", "/api/v1/subjects/restriction", tok["jan"],
                       {"number": NUMBER_B, "restricted": True, "reason": "art. 18 request 4/26", "confirm": NUMBER_B})
    check(s == 200 and body["changed"] == [rec_b], f"RIGHTS-3 the records keeper restricts ({s}, {body})")
    s, state = api.json("GET", f"/api/v1/recordings/{rec_b}/restriction", tok["jan"])
    check(s == 200 and state["restricted"] is True and state["by"] == "jan", f"RIGHTS-3 restricted by jan ({state})")
    s, body = api.json("POST", "/api/v1/subjects/restriction", tok["iod"],
                       {"number": NUMBER_B, "restricted": False, "reason": "lifted", "confirm": NUMBER_B})
    check(s == 200 and body["changed"] == [rec_b], f"RIGHTS-3 the DPO lifts it ({s}, {body})")


def main():
    if not shutil.which("sipp") or not shutil.which("sox"):
        print("SKIP: sipp and sox are needed")
        return 77
    os.environ.pop("KRONIKA_MASTER_KEY_FILE", None)
    os.environ.pop("KRONIKA_HTTP_TLS_CERT", None)
    work, config, node, tok = office_node("kronika-records-api-", check)
    for user, role in [("anna", "listener"), ("audit", "auditor"), ("iod", "dpo")]:
        code, out = cli("user", "add", user, "--role", role, "--name", user.title(), "--surname", "Test",
                        "--position", "Clerk", "--config", config)
        check(code == 0, f"user add {user} ({out.strip()})")
        code, out = cli("user", "token", user, "--config", config)
        tok[user] = out.split()[0] if code == 0 else ""
    try:
        node.start()
        api = Api(node.http_port)
        check(all(sipp(node, scenario_for(node, n)) for n in (NUMBER_A, NUMBER_B)), "calls of A and B recorded")

        def completed():
            s, body = api.json("GET", "/api/v1/recordings?state=completed", tok["jan"])
            return body["recordings"] if s == 200 and body.get("count", 0) >= 2 else None
        recs = wait_for("two completed recordings", completed, timeout=30)

        def of(number):
            return [r["recording_id"] for r in recs if any(p.get("number") == number for p in r.get("participants", []))][0]
        rec_a, rec_b = of(NUMBER_A), of(NUMBER_B)
        groups = sys.argv[1:] or ["register", "disclosures", "holds", "subjects"]
        if "register" in groups:
            register_group(api, tok, node, rec_b)
        if "disclosures" in groups:
            disclosure_group(api, tok, node, rec_b)
        lift_hold = lambda: None  # noqa: E731
        if "holds" in groups or "subjects" in groups:
            lift_hold = holds_group(api, tok, config, rec_a)
        if "subjects" in groups:
            subjects_group(api, tok, node, rec_a, rec_b, lift_hold)
        elif "holds" in groups:
            lift_hold()
    finally:
        node.stop()
    if failures:
        print(node.log_tail(4000))
        print(f"{len(failures)} check(s) failed")
        return 1
    print("records keeper API checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
