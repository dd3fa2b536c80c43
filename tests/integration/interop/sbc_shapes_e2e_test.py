#!/usr/bin/env python3
"""SBC shapes end to end (issue 14): every call with usable audio is recorded, whatever its
metadata looks like, and the store says how complete the metadata is.

Each case sends a SIPREC INVITE written here (no vendor's body is copied) to the real
`kronika serve`, sends real RTP on both answered ports (440 Hz on the first leg, 1000 Hz on
the second), sometimes a mid-call UPDATE, then BYE. Checked as a user would see it:
  - the INVITE is answered 200 (in the offered RTP profile);
  - the recording plays (opusdec) with each leg's tone on its own channel;
  - `kronika query --number` finds it by each party's number (when the metadata names them);
  - `kronika show --json` gives metadata_status complete / partial / unparsed and the reasons;
  - `kronika query --json` / `--csv` and the HTTP API list every recording (no abort, no 500)
    although one stored document was Latin-1 and one had bytes that are not UTF-8;
  - kronika_metadata_defects_total{reason} counted each defect.
Exit 0 = pass, 1 = fail, 77 = skipped (no opus-tools / binary).
"""
from __future__ import annotations

import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "sip"))
sys.path.insert(0, os.path.join(HERE, "..", "media"))
import harness as h  # noqa: E402
import media_e2e_test as media  # noqa: E402  (RTP legs, tones, opusdec helpers)
from sip_client import Dialog, SipClient, to_tag_of  # noqa: E402

SKIP = 77
BOUNDARY = "kronika-shape-7f3a"
CTYPE = f"multipart/mixed;boundary={BOUNDARY}"
NS = "urn:ietf:params:xml:ns:recording:1"
TONE_SECONDS = 1.2  # per half of the call (before and after a mid-call UPDATE)
MIN_TONE_RMS = 1000  # sent at amplitude 6000 (RMS ~4200); digital silence is 0


class Failures(list):
    def check(self, ok, what, detail=""):
        print(("ok   " if ok else "FAIL ") + what + ("" if ok or not detail else f"\n     {detail}"), flush=True)
        if not ok:
            self.append(what)
        return ok


# --- bodies ---------------------------------------------------------------------------

def sdp(proto="RTP/AVP", labels=("1", "2"), extra=""):
    lines = ["v=0", "o=ShapeSBC 4711 1 IN IP4 127.0.0.1", "s=SIPREC", "c=IN IP4 127.0.0.1", "t=0 0"]
    for i, label in enumerate(labels):
        lines += [f"m=audio {30000 + 2 * i} {proto} 0 8 101", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
                  "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15"]
        if "AVPF" in proto:
            lines += ["a=rtcp-fb:* nack", "a=rtcp-fb:0 ccm fir", "a=rtcp-mux"]
        lines += [f"a=label:{label}", "a=sendonly"]
    return "\r\n".join(lines) + "\r\n" + extra


def participant(pid, number, name="", send=""):
    name_xml = f"<name>{name}</name>" if name else ""
    send_xml = f"<send>{send}</send>" if send else ""
    return (f"<participant participant_id=\"{pid}\"><nameID aor=\"sip:{number}@sbc.example.pl\">{name_xml}"
            f"</nameID>{send_xml}</participant>")


def stream(sid, label):
    return f"<stream stream_id=\"{sid}\" session_id=\"sess1\"><label>{label}</label></stream>"


def metadata(body, declaration="<?xml version=\"1.0\" encoding=\"UTF-8\"?>", mode="complete"):
    return (f"{declaration}\r\n<recording xmlns=\"{NS}\"><datamode>{mode}</datamode>"
            f"<session session_id=\"sess1\"><sipSessionID>{uuid.uuid4().hex}</sipSessionID></session>"
            f"{body}</recording>")


def complete_metadata(caller, callee, caller_name="", callee_name=""):
    return metadata(stream("st1", "1") + stream("st2", "2") + participant("pA", caller, caller_name, "st1") +
                    participant("pB", callee, callee_name, "st2"))


def multipart(sdp_text: str, metadata_bytes: bytes | None) -> bytes:
    out = (f"--{BOUNDARY}\r\nContent-Type: application/sdp\r\n\r\n{sdp_text}").encode()
    if metadata_bytes is not None:
        out += (f"--{BOUNDARY}\r\nContent-Type: application/rs-metadata+xml\r\n"
                f"Content-Disposition: recording-session\r\n\r\n").encode() + metadata_bytes + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


def metadata_only(metadata_bytes: bytes) -> bytes:
    return multipart_parts([("application/rs-metadata+xml", metadata_bytes)])


def multipart_parts(parts) -> bytes:
    out = b""
    for ctype, data in parts:
        out += f"--{BOUNDARY}\r\nContent-Type: {ctype}\r\n\r\n".encode() + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


# --- SIP ------------------------------------------------------------------------------

class ShapeDialog(Dialog):
    """Dialog plus in-dialog UPDATE, and an INVITE sent as raw text (compact header forms)."""

    def update(self, body: bytes, content_type: str, headers=None):
        return self.c.transaction(self._request("UPDATE", headers or [], body, content_type), "UPDATE")

    def reinvite(self, body: bytes, content_type: str, headers=None):
        """An in-dialog INVITE; a 2xx is ACKed here. Returns every response."""
        self.invite_branch = self.c.new_branch()
        data = self._request("INVITE", headers or [], body, content_type, branch=self.invite_branch)
        self.invite_cseq = self.cseq
        responses = self.c.transaction(data, "INVITE", 10)
        if responses and responses[-1].status >= 200:
            self.ack(responses[-1])
        return responses

    def raw_invite(self, text: str, body: bytes):
        """`text`: the request line and headers, with {call_id}, {from_tag}, {branch}, {lport},
        {len} to fill in; compact forms are the caller's business."""
        self.invite_branch = self.c.new_branch()
        self.cseq += 1
        self.invite_cseq = self.cseq
        head = text.format(call_id=self.call_id, from_tag=self.from_tag, branch=self.invite_branch,
                           lport=self.c.local_port, len=len(body), cseq=self.cseq)
        data = head.replace("\n", "\r\n").encode() + b"\r\n" + body
        responses = self.c.transaction(data, "INVITE", 10)
        if responses:
            self.to_tag = to_tag_of(responses[-1]) or self.to_tag
        return responses


class Leg6(media.Leg):
    """An RTP leg over IPv6 (media.Leg is IPv4 only)."""

    def __init__(self, port, pt, ssrc, address):
        super().__init__(port, pt, ssrc)
        self.sock.close()
        self.sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        self.sock.bind((address, 0))
        self.dest = (address, port)


def rms(samples) -> float:
    return (sum(v * v for v in samples) / len(samples)) ** 0.5 if samples else 0.0


def answered_address(answer: str) -> str:
    """The session-level c= address of an SDP answer ("127.0.0.1", "::1")."""
    for line in answer.splitlines():
        if line.startswith("c=IN IP"):
            return line.split()[2]
        if line.startswith("m="):
            break
    return "127.0.0.1"


def answered_streams(answer: str):
    """[(port, profile, first payload type)] per audio m-line of an SDP answer."""
    out = []
    for line in answer.splitlines():
        if line.startswith("m=audio "):
            fields = line.split()
            out.append((int(fields[1]), fields[2], int(fields[3])))
    return out


# --- the store, as a user reads it ------------------------------------------------------

def kronika(*args):
    return subprocess.run([h.BIN, *args], capture_output=True)


def query_json(data_dir, *args):
    r = kronika("query", "--data-dir", data_dir, "--json", *args)
    return r.returncode, (json.loads(r.stdout) if r.returncode == 0 else None), r


def show_json(data_dir, rid):
    r = kronika("show", rid, "--data-dir", data_dir, "--json")
    return json.loads(r.stdout) if r.returncode == 0 else None


class Case:
    def __init__(self, name, invite_body, *, numbers=(), content_type=CTYPE, headers=None, transport="udp",
                 profile="RTP/AVP", mid_call=None, status="complete", reasons=(), names=(), raw_head=None,
                 before_media=None, contact_params=None, check_answer=None, prepare=None, legs=2,
                 check_record=None):
        self.name = name
        self.invite_body = invite_body
        self.numbers = numbers  # the numbers the query must find the recording by
        self.content_type = content_type
        self.headers = headers
        self.transport = transport
        self.profile = profile
        self.mid_call = mid_call  # fn(dialog) -> None, between the two halves of the RTP
        self.status = status
        self.reasons = set(reasons)
        self.names = names  # participant names the record must show (UTF-8)
        self.raw_head = raw_head  # compact-form INVITE head (ShapeDialog.raw_invite)
        # fn(dialog, failures) -> Response | None, after the ACK and before any RTP (e.g. a
        # re-INVITE that turns inactive legs into sendonly); a returned 200 gives the ports.
        self.before_media = before_media
        self.contact_params = contact_params  # Contact parameters instead of ";+sip.src"
        self.check_answer = check_answer  # fn(final 200 to the INVITE, failures)
        self.prepare = prepare  # fn(dialog) before the INVITE (e.g. its first CSeq)
        # Audio m-lines: 2 = one leg per channel (440 Hz left, 1000 Hz right); 1 = a single
        # mixed stream (440 Hz), recorded as mono.
        self.legs = legs
        self.check_record = check_record  # fn(kronika show --json of the recording, failures)
        self.recording_id = None


def run_case(server, case: Case, failures: Failures, work: str):
    print(f"--- {case.name}", flush=True)
    client = SipClient(case.transport, server.sip_host, server.sip_port)
    dialog = ShapeDialog(client)
    if case.contact_params is not None:
        dialog.contact_params = case.contact_params
    if case.prepare:
        case.prepare(dialog)
    try:
        if case.raw_head:
            responses = dialog.raw_invite(case.raw_head, case.invite_body)
        else:
            responses = dialog.invite(case.invite_body, case.content_type,
                                      case.headers if case.headers is not None else
                                      ["Require: siprec", "Supported: siprec"])
        final = responses[-1] if responses else None
        if not failures.check(final is not None and final.status == 200, f"{case.name}: INVITE answered 200",
                              f"got {final!r}: {final.header('warning') if final else ''}\n{server.log_tail(1500)}"):
            if final is not None:
                dialog.ack(final)
            return
        dialog.ack(final)
        if case.check_answer:
            case.check_answer(final, failures)
        if case.before_media:
            later = case.before_media(dialog, failures)
            if later is not None and later.status == 200:
                final = later
        streams = answered_streams(final.body)
        failures.check(len(streams) == case.legs and all(s[1] == case.profile for s in streams),
                       f"{case.name}: {case.legs} leg(s) answered in {case.profile}", final.body)
        address = answered_address(final.body)
        legs = [(Leg6(port, pt, 10 + i, address) if ":" in address else media.Leg(port, pt, 10 + i))
                for i, (port, _, pt) in enumerate(streams[:case.legs])]
        tones = (440, 1000)[:case.legs]
        t0 = time.monotonic()
        media.send_call(legs, TONE_SECONDS, tones)
        if case.mid_call:
            later = case.mid_call(dialog, failures)
            if later is not None and later.status == 200 and answered_streams(later.body):
                # A re-INVITE answer moves the legs (port, codec) from here on, same SSRCs.
                for leg, (port, _, pt) in zip(legs, answered_streams(later.body)):
                    leg.dest = (leg.dest[0], port)
                    leg.pt, leg.encode = pt, (media.ulaw if pt == 0 else media.alaw)
        media.send_call(legs, TONE_SECONDS, tones)
        wall = time.monotonic() - t0
        bye = dialog.bye()
        failures.check(bool(bye) and bye[-1].status == 200, f"{case.name}: BYE answered 200")
    finally:
        client.close()

    # Find the recording: by each number the metadata names, else by its Call-ID.
    def find_row():
        rc, out, _ = query_json(server.data_dir, "--state", "completed", "--limit", "10000")
        if rc != 0:
            return None
        for row in out["recordings"]:
            if row["sip_call_id"] == dialog.call_id:
                return row
        return None
    row = h.wait_for(f"{case.name}: completed recording", find_row, timeout=30)
    case.recording_id = row["recording_id"]
    for number in case.numbers:
        rc, out, _ = query_json(server.data_dir, "--number", number)
        ids = [r["recording_id"] for r in out["recordings"]] if rc == 0 else []
        failures.check(case.recording_id in ids, f"{case.name}: kronika query --number {number} finds it",
                       f"exit {rc}, ids {ids}")
    detail = show_json(server.data_dir, case.recording_id)
    if not failures.check(detail is not None, f"{case.name}: kronika show --json"):
        return
    failures.check(detail.get("metadata_status") == case.status,
                   f"{case.name}: metadata_status {case.status}", f"got {detail.get('metadata_status')}")
    reasons = {i["reason"] for i in detail.get("metadata_issues", [])}
    failures.check(reasons == case.reasons, f"{case.name}: metadata reasons {sorted(case.reasons)}",
                   f"got {detail.get('metadata_issues')}")
    if case.check_record:
        case.check_record(detail, failures)
    shown_names = {p["name"] for p in detail.get("participants", [])}
    for name in case.names:
        failures.check(name in shown_names, f"{case.name}: participant name {name!r} shown as sent",
                       f"names {shown_names}")

    # The recording plays: each leg's tone on its own channel, as long as the call.
    path = detail["file_path"]
    if not os.path.isabs(path):
        path = os.path.join(server.data_dir, path)
    channels, rate, ch = media.decode(path, work)
    if not failures.check(channels == case.legs, f"{case.name}: {case.legs}-channel recording ({channels} channels)"):
        return
    duration = len(ch[0]) / rate
    failures.check(abs(duration - wall) < 0.5, f"{case.name}: {duration:.2f} s recorded of a {wall:.2f} s call")
    # Each half of the call (before and after the mid-call step): the leg's tone, audible (a
    # packet the recorder could not decode, e.g. after a codec change, leaves silence).
    for half, start in (("first", 0.3), ("second", TONE_SECONDS + 0.3)):
        part = slice(int(start * rate), int((start + 0.7) * rate))
        levels = tuple(rms(ch[c][part]) for c in range(case.legs))
        heard = [media.dominant(ch[c][part], rate) for c in range(case.legs)]
        failures.check(heard == list((440, 1000)[:case.legs]) and min(levels) > MIN_TONE_RMS,
                       f"{case.name}: " + ("440 Hz left, 1000 Hz right" if case.legs == 2 else "440 Hz") +
                       f" in the {half} half", f"heard {heard} Hz, RMS {[round(v) for v in levels]}")


# --- the cases --------------------------------------------------------------------------

def update_with(metadata_text: str, expect=200):
    def step(dialog, failures):
        r = dialog.update(metadata_only(metadata_text.encode()), CTYPE)
        failures.check(bool(r) and r[-1].status == expect, f"mid-call UPDATE with metadata answered {expect}",
                       f"{r[-1] if r else None}")
    return step


def cases():
    out = []
    # 1. Placeholders first: empty stream_id / participant_id, real parties in a later UPDATE.
    out.append(Case(
        "empty ids, completed by an UPDATE",
        multipart(sdp(), metadata(stream("", "1") + stream("", "2") +
                                  "<participant participant_id=\"\"/><participant participant_id=\"\"/>").encode()),
        numbers=("+48221000001", "+48601000001"),
        mid_call=update_with(complete_metadata("+48221000001", "+48601000001")),
        status="complete"))
    # 2. Placeholder ids with the parties named: recorded, partial, both numbers found.
    out.append(Case(
        "empty participant_id with AORs",
        multipart(sdp(), metadata(stream("st1", "1") + stream("st2", "2") +
                                  participant("", "+48221000002", "", "st1") +
                                  participant("", "+48601000002", "", "st2")).encode()),
        numbers=("+48221000002", "+48601000002"), status="partial", reasons=("empty_id",)))
    # 3. ISO-8859-1 declared: names stored as UTF-8.
    latin1 = complete_metadata("+48221000003", "+48601000003", "M\u00fcller", "Ga\u00ebl").replace(
        "encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"").encode("latin-1")
    out.append(Case("Latin-1 metadata", multipart(sdp(), latin1), numbers=("+48221000003", "+48601000003"),
                    names=("M\u00fcller", "Ga\u00ebl")))
    # 4. windows-1250: Polish letters.
    cp1250 = complete_metadata("+48221000004", "+48601000004", "\u0141\u00f3d\u017a", "\u017b\u00f3\u0142w").replace(
        "encoding=\"UTF-8\"", "encoding=\"windows-1250\"").encode("cp1250")
    out.append(Case("windows-1250 metadata", multipart(sdp(), cp1250), numbers=("+48221000004", "+48601000004"),
                    names=("\u0141\u00f3d\u017a", "\u017b\u00f3\u0142w")))
    # 5. Bytes that are not UTF-8 in a document that says UTF-8: replaced, partial.
    bad = complete_metadata("+48221000005", "+48601000005", "Jos\u00e9", "Anna").encode("latin-1")
    out.append(Case("invalid UTF-8 bytes", multipart(sdp(), bad), numbers=("+48221000005", "+48601000005"),
                    status="partial", reasons=("invalid_bytes",), names=("Jos\ufffd",)))
    # 6. RTP/AVPF (WebRTC-facing SBC).
    out.append(Case("RTP/AVPF offer", multipart(sdp("RTP/AVPF"), complete_metadata("+48221000006", "+48601000006").encode()),
                    numbers=("+48221000006", "+48601000006"), profile="RTP/AVPF"))
    # 7. Content-Encoding: gzip.
    out.append(Case("gzip body",
                    gzip.compress(multipart(sdp(), complete_metadata("+48221000007", "+48601000007").encode())),
                    numbers=("+48221000007", "+48601000007"),
                    headers=["Require: siprec", "Supported: siprec", "Content-Encoding: gzip"]))
    # 8. Two participants with one participant_id: neither number lost.
    out.append(Case("duplicate participant_id",
                    multipart(sdp(), metadata(stream("st1", "1") + stream("st2", "2") +
                                              participant("same", "+48221000008", "", "st1") +
                                              participant("same", "+48601000008", "", "st2")).encode()),
                    numbers=("+48221000008", "+48601000008"), status="partial", reasons=("duplicate_id",)))
    # 9. Metadata over the 64 KiB bound (TCP): recorded, unparsed; the UPDATE completes it.
    huge = metadata("<extensiondata>" + "x" * 70000 + "</extensiondata>")
    out.append(Case("metadata over 64 KiB, completed by an UPDATE", multipart(sdp(), huge.encode()),
                    transport="tcp", numbers=("+48221000009", "+48601000009"),
                    mid_call=update_with(complete_metadata("+48221000009", "+48601000009"))))
    # 10. Not well-formed XML and nothing after: recorded, unparsed, the reason stored.
    out.append(Case("XML that does not parse",
                    multipart(sdp(), b"<recording xmlns='urn:ietf:params:xml:ns:recording:1'><participant>"),
                    status="unparsed", reasons=("xml_error",)))
    # 11. Compact header forms over TCP, the body gzip'd (e: is Content-Encoding).
    body = gzip.compress(multipart(sdp(), complete_metadata("+48221000011", "+48601000011").encode()))
    head = ("INVITE sip:srs@127.0.0.1 SIP/2.0\n"
            "v: SIP/2.0/TCP 127.0.0.1:{lport};branch={branch};rport\n"
            "f: <sip:src@127.0.0.1>;tag={from_tag}\n"
            "t: <sip:srs@127.0.0.1>\n"
            "i: {call_id}\n"
            "CSeq: {cseq} INVITE\n"
            "m: <sip:src@127.0.0.1:{lport};transport=tcp>;+sip.src\n"
            "Max-Forwards: 70\n"
            "Require: siprec\n"
            "k: siprec\n"
            f"c: {CTYPE}\n"
            "e: gzip\n"
            "l: {len}\n")
    out.append(Case("compact headers over TCP with e: gzip", body, transport="tcp", raw_head=head,
                    numbers=("+48221000011", "+48601000011")))
    return out


def api_token(data_dir):
    # The tools refuse a data dir without a database (issue 15 item 2); the daemon that
    # serves it may not have created it yet.
    r = kronika("init", "--data-dir", data_dir)
    if r.returncode != 0:
        raise AssertionError(f"kronika init: {r.stderr.decode(errors='replace')}")
    r = kronika("user", "add", "clerk", "--role", "records_keeper", "--name", "Jan", "--surname", "Kowalski",
                "--position", "Clerk", "--data-dir", data_dir)
    if r.returncode != 0:
        raise AssertionError(f"kronika user add: {r.stderr.decode(errors='replace')}")
    t = kronika("user", "token", "clerk", "--data-dir", data_dir)
    return t.stdout.decode().strip()


def api_get(port, path, token):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


# One count per document and reason: the empty ids are in two INVITEs.
DEFECTS = (("empty_id", 2), ("invalid_bytes", 1), ("duplicate_id", 1), ("too_large", 1), ("xml_error", 1))


def main():
    return run_suite(cases(), DEFECTS, "kronika-sbc-shapes-")


def run_suite(all_cases, defects, tmp_prefix, sip_host=h.LOOPBACK, config="", extra_checks=None):
    """Runs `all_cases` against one `kronika serve` (SIP on `sip_host`, `config` TOML), then
    checks every listing and the metrics; `defects`: (reason, documents)
    kronika_metadata_defects_total must grow by; `extra_checks(server, failures)` runs
    before the calls."""
    for tool in ("opusdec",):
        if shutil.which(tool) is None:
            h.skip(f"{tool} not installed (opus-tools)")
    if not os.path.exists(h.BIN):
        h.skip(f"no kronika binary at {h.BIN}")
    work = str(h.make_tempdir(tmp_prefix))
    failures = Failures()
    server = h.Kronika(sip_host=sip_host, config=config, work=os.path.join(work, "server"))
    os.makedirs(server.data_dir, exist_ok=True)
    token = api_token(server.data_dir)
    try:
        server.start()
        before = server.metrics()
        if extra_checks:
            extra_checks(server, failures)
        for case in all_cases:
            try:
                run_case(server, case, failures, work)
            except AssertionError as e:
                failures.check(False, f"{case.name}: {e}")

        # Every listing survives every stored byte.
        rc, listed, r = query_json(server.data_dir, "--limit", "10000")
        failures.check(rc == 0 and listed["count"] == len(all_cases),
                       f"kronika query --json lists all {len(all_cases)} recordings (exit {rc})",
                       r.stderr.decode(errors="replace"))
        csv = kronika("query", "--data-dir", server.data_dir, "--csv", "--limit", "10000")
        failures.check(csv.returncode == 0 and csv.stdout.decode("utf-8").count("\r\n") == len(all_cases) + 1,
                       f"kronika query --csv lists them (exit {csv.returncode})")
        status, body = api_get(server.http_port, "/api/v1/recordings?limit=1000", token)
        failures.check(status == 200 and json.loads(body)["count"] == len(all_cases),
                       f"GET /api/v1/recordings answers 200 with every recording (got {status})")
        for case in all_cases:
            if case.recording_id:
                status, body = api_get(server.http_port, f"/api/v1/recordings/{case.recording_id}", token)
                failures.check(status == 200 and json.loads(body)["metadata_status"] == case.status,
                               f"GET /api/v1/recordings/<{case.name}> answers 200, metadata_status {case.status}",
                               f"{status} {body[:200]!r}")

        # Counted by reason.
        after = server.metrics()
        for reason, documents in defects:
            grew = (h.metric_value(after, "kronika_metadata_defects_total", {"reason": reason}) or 0) - \
                   (h.metric_value(before, "kronika_metadata_defects_total", {"reason": reason}) or 0)
            failures.check(grew == documents,
                           f"kronika_metadata_defects_total{{reason=\"{reason}\"}} counted {documents} ({grew:+.0f})")
        finished = {status: (h.metric_value(after, "kronika_recordings_metadata_total", {"status": status}) or 0)
                    for status in ("complete", "partial", "unparsed")}
        expected = {status: sum(1 for c in all_cases if c.status == status) for status in finished}
        failures.check(finished == expected, f"kronika_recordings_metadata_total by status {expected}", f"{finished}")
        failures.check(server.alive(), "the daemon is still running")
    finally:
        code = server.stop()
    failures.check(code == 0, f"kronika exits 0 on SIGTERM (got {code})")
    if failures:
        print(f"{len(failures)} failure(s); work dir kept: {work}\n{server.log_tail(3000)}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
