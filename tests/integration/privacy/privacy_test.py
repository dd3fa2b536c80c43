#!/usr/bin/env python3
"""RIGHTS-5 (data stays with the controller, nothing phones home) and RIGHTS-4 (no automated
decisions or profiling from recordings), checked on the real daemon.

RIGHTS-5: `kronika serve` runs under `strace -f` from its first instruction to its exit while
it records a SIPp call and answers HTTP API requests. Every connect/sendto/sendmsg/sendmmsg
of every thread is read from the trace: no TCP connect to anyone, and every datagram or
connection whose destination is named goes to the SIP peer (SIPp's signalling and media
ports) or to the daemon's own ports - replies on accepted sockets name no destination. Local AF_UNIX sockets (syslog,
nscd) are listed but allowed: they do not leave the host.

RIGHTS-4: the stored record (`kronika show --json`, `kronika query --json`) and the API's
recording list carry exactly the documented fields (docs/compliance.md), none derived from
audio content; the timeline holds only protocol events (DTMF digits are RTP events, RFC
4733, not audio analysis); and the binary links no speech/ML library.

Exit 0 = pass, 1 = fail, 77 = skipped (no strace/sipp/sox, or ptrace not permitted).
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import BIN, SOURCE, Kronika, free_udp_tcp_port, skip, wait_for  # noqa: E402

SCENARIO = os.path.join(SOURCE, "interop/sipp/uac-basic-call.xml")
TRACED = "connect,sendto,sendmsg,sendmmsg"

# Exactly what `kronika show --json` prints for a recording (RecordingDetailJson) and what a
# row of `kronika query --json` / GET /api/v1/recordings holds (RecordingRowJson).
DETAIL_FIELDS = {"recording_id", "sip_call_id", "src_host", "site", "start_utc", "start_ms_utc",
                 "end_utc", "end_ms_utc", "state", "file_path", "file_bytes", "duration_s", "codec",
                 "participants", "timeline", "metadata_xml_last", "metadata_xml_received_bytes",
                 "metadata_status", "metadata_issues", "retention_expiry_utc", "legal_hold",
                 "schema_version", "verdict", "completeness"}
DETAIL_PARTICIPANT_FIELDS = {"participant_id", "name", "aor", "number_e164", "number_original",
                             "channel"}
# Plus `restricted`: the recording's RIGHTS-3 state from the access database (the web page
# offers no playback of a restricted recording), a fact about the data subject's request,
# not about the call's content.
ROW_FIELDS = {"recording_id", "start_utc", "end_utc", "duration_s", "state", "participants",
              "numbers", "file_path", "file_bytes", "codec", "site", "src_host", "sip_call_id",
              "metadata_status", "verdict", "restricted"}
ROW_PARTICIPANT_FIELDS = {"name", "aor", "number", "channel"}
# The completeness evidence (issue 14) measures the transmission, not the person: packet counts,
# gaps, levels and where the RTP came from. It is held to an exact list too, so a field that
# judged the speakers could not slip in beside it.
VERDICTS = {"complete", "partial", "one-way", "silent", "no-media", "interrupted"}
COMPLETENESS_FIELDS = {"media_start_utc", "duration_ms", "findings", "legs"}
FINDING_FIELDS = {"kind", "leg", "from_ms", "to_ms"}
LEG_EVIDENCE_FIELDS = {"mline_index", "label", "channel", "active_from_ms", "active_to_ms",
                       "packets_expected", "packets_received", "packets_lost", "packets_late",
                       "packets_duplicate", "packets_foreign_source", "packets_wrong_ssrc",
                       "packets_invalid", "comfort_noise_packets", "first_packet_ms",
                       "last_packet_ms", "first_packet_utc", "last_packet_utc", "gaps",
                       "gaps_omitted", "gap_total_ms", "pauses", "rms_dbfs", "peak_dbfs",
                       "audio_ms", "signal_ms", "codecs", "latched_source", "sdp_source", "ssrc",
                       "relatches"}
TIMELINE_FIELDS = {"time_utc", "time_ms_utc", "kind", "detail"}
# Timeline kinds are SIP/media protocol events (srs timeline.h); none is a judgement.
PROTOCOL_EVENTS = {"invite", "answer", "pause", "resume", "update", "metadata-change", "dtmf",
                   "rtp-timeout", "rtp-resumed", "bye", "cancel", "session-expired", "error",
                   "shutdown", "interrupted"}
# Words a derived/classification field would carry.
DERIVED = re.compile(r"transcri|sentiment|emotion|score|gender|age_|speaker|voiceprint|biometric|"
                     r"profil|classif|keyword|language|intent|risk|fraud", re.I)
# Libraries that would let the binary analyse speech.
ANALYSIS_LIBS = re.compile(r"vosk|whisper|pocketsphinx|sphinx|kaldi|onnx|tensorflow|torch|"
                           r"deepspeech|julius|openvino", re.I)

failures = []


def check(ok, what, detail=""):
    print(("PASS " if ok else "FAIL ") + what + ("" if ok or not detail else "\n  " + detail))
    if not ok:
        failures.append(what)


def destinations(trace_text):
    """(syscall, family, address, port) of every traced call that names a destination."""
    found = []
    for line in trace_text.splitlines():
        m = re.search(r"\b(connect|sendto|sendmsg|sendmmsg)\(", line)
        if not m:
            continue
        call = m.group(1)
        fam = re.search(r"sa_family=(AF_\w+)", line)
        if not fam:
            continue  # no address: a reply on a connected/accepted socket
        family = fam.group(1)
        if family in ("AF_INET", "AF_INET6"):
            port = re.search(r"sin6?_port=htons\((\d+)\)", line)
            addr = re.search(r'inet_(?:addr|pton)\((?:AF_INET6?, )?"([^"]+)"', line)
            found.append((call, family, addr.group(1) if addr else "?", int(port.group(1)) if port else -1))
        else:
            path = re.search(r'sun_path="([^"]*)"', line)
            found.append((call, family, path.group(1) if path else "", 0))
    return found


def kronika(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True)


def main():
    for tool in ("strace", "sipp", "sox"):
        if shutil.which(tool) is None:
            skip(f"'{tool}' is not installed")
    work = tempfile.mkdtemp(prefix="kronika-privacy-")
    node = Kronika(work=work)
    node.init_data_dir()
    # An API user, so the traced run serves authenticated API requests too.
    added = kronika("user", "add", "keeper", "--role", "records_keeper", "--name", "Jan",
                    "--surname", "Kowal", "--position", "Records keeper", "--data-dir", node.data_dir)
    token = kronika("user", "token", "keeper", "--data-dir", node.data_dir).stdout.strip()
    check(added.returncode == 0 and token.startswith("krk_"), "API user and token made")

    trace = os.path.join(work, "strace.txt")
    node.args = ["strace", "-f", "-qq", "-e", "trace=" + TRACED, "-e", "signal=none", "-o", trace] + node.args
    node.start()
    daemon = None
    try:
        children = subprocess.run(["pgrep", "-P", str(node.proc.pid)], capture_output=True,
                                  text=True).stdout.split()
        daemon = int(children[0]) if children else None
        if daemon is None:
            skip("strace started no traced child (ptrace not permitted here?)")

        sipp_port, media_port = free_udp_tcp_port(), free_udp_tcp_port()
        subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-e", "a-law",
                        os.path.join(work, "tone_alaw.wav"), "synth", "3", "sine", "440"], check=True)
        os.symlink(os.path.join(SOURCE, "interop/sipp/bodies"), os.path.join(work, "bodies"))
        call = subprocess.run(["sipp", node.sip_addr, "-sf", SCENARIO, "-m", "1", "-d", "2000",
                               "-i", "127.0.0.1", "-p", str(sipp_port), "-mp", str(media_port),
                               "-timeout", "40s", "-timeout_error", "-nostdin"],
                              cwd=work, capture_output=True, text=True)
        check(call.returncode == 0, f"SIPp call recorded (exit {call.returncode})", call.stdout[-1500:])

        def api(path):
            req = urllib.request.Request(f"http://127.0.0.1:{node.http_port}{path}")
            req.add_header("Authorization", "Bearer " + token)
            with urllib.request.urlopen(req, timeout=5) as r:
                return json.loads(r.read().decode())

        listed = wait_for("a completed recording in the API",
                          lambda: (lambda b: b if b.get("count", 0) >= 1 else None)(
                              api("/api/v1/recordings?state=completed")), timeout=20)
        node.metrics()
        api("/api/v1/me")
    finally:
        if daemon is not None:
            os.kill(daemon, signal.SIGTERM)
        try:
            node.proc.wait(30)
        except subprocess.TimeoutExpired:
            node.proc.kill()
            node.proc.wait()

    # --- RIGHTS-5 ---
    with open(trace, errors="replace") as f:
        text = f.read()
    calls = destinations(text)
    traced_lines = sum(1 for line in text.splitlines() if re.search(r"\b(sendto|sendmsg)\(", line))
    check(traced_lines > 0, f"the trace saw the daemon send ({traced_lines} send calls traced)")
    inet = [c for c in calls if c[1] in ("AF_INET", "AF_INET6")]
    peer_ports = {sipp_port} | set(range(media_port, media_port + 4))
    # The daemon's own sockets (sofia-sip sends one datagram to its own SIP port at stop).
    own_ports = {node.sip_port, node.http_port} | set(range(node.rtp_min, node.rtp_max + 1))
    foreign = [c for c in inet if not (c[2] == "127.0.0.1" and c[3] in peer_ports | own_ports)]
    print(f"to its own ports: {[c for c in inet if c[2] == '127.0.0.1' and c[3] in own_ports]}")
    connects = [c for c in inet if c[0] == "connect"]
    check(not [c for c in connects if c in foreign], "RIGHTS-5 no outbound connection to anyone but the peer",
          f"{connects}")
    print(f"connect() calls to internet addresses: {len(connects)} {connects[:5]}")
    check(not foreign, "RIGHTS-5 every addressed packet goes to the SIP peer (SIPp's ports)",
          f"{foreign[:20]}")
    check(any(c[3] == sipp_port for c in inet), "the trace shows the SIP answers to the peer")
    local = sorted({c[2] for c in calls if c[1] == "AF_UNIX"})
    print(f"local AF_UNIX destinations (stay on the host): {local or 'none'}")

    # --- RIGHTS-4 ---
    rows = listed["recordings"]
    check(all(set(r) == ROW_FIELDS for r in rows), "RIGHTS-4 API row fields are exactly the documented ones",
          f"{[sorted(set(r) ^ ROW_FIELDS) for r in rows]}")
    check(all(set(p) == ROW_PARTICIPANT_FIELDS for r in rows for p in r["participants"]),
          "RIGHTS-4 API participant fields are exactly name, aor, number, channel")
    rid = rows[0]["recording_id"]
    shown = kronika("show", rid, "--data-dir", node.data_dir, "--json")
    detail = json.loads(shown.stdout) if shown.returncode == 0 else {}
    check(set(detail) == DETAIL_FIELDS, "RIGHTS-4 stored record fields are exactly the documented ones",
          f"extra/missing: {sorted(set(detail) ^ DETAIL_FIELDS)}")
    check(all(set(p) == DETAIL_PARTICIPANT_FIELDS for p in detail.get("participants", [])),
          "RIGHTS-4 stored participant fields: ids, name, aor, numbers, channel")
    completeness = detail.get("completeness") or {}
    check(detail.get("verdict") in VERDICTS and all(r.get("verdict") in VERDICTS for r in rows),
          f"the recording carries a completeness verdict ({detail.get('verdict')})")
    check(set(completeness) == COMPLETENESS_FIELDS
          and all(set(f) == FINDING_FIELDS for f in completeness.get("findings", []))
          and all(set(leg) == LEG_EVIDENCE_FIELDS for leg in completeness.get("legs", [])),
          "RIGHTS-4 completeness evidence holds transmission facts only (exact field list)",
          f"{sorted(set(completeness) ^ COMPLETENESS_FIELDS)} "
          f"{[sorted(set(leg) ^ LEG_EVIDENCE_FIELDS) for leg in completeness.get('legs', [])]}")
    kinds = {e["kind"] for e in detail.get("timeline", [])}
    check(all(set(e) == TIMELINE_FIELDS for e in detail.get("timeline", [])) and kinds <= PROTOCOL_EVENTS,
          f"RIGHTS-4 the timeline holds protocol events only ({sorted(kinds)})",
          f"unknown kinds: {sorted(kinds - PROTOCOL_EVENTS)}")
    queried = kronika("query", "--data-dir", node.data_dir, "--json")
    everything = shown.stdout + queried.stdout + json.dumps(listed)
    keys = set(re.findall(r'"([A-Za-z_]+)"\s*:', everything))
    check(not [k for k in keys if DERIVED.search(k)], "RIGHTS-4 no transcription/scoring/profiling key anywhere",
          f"{sorted(k for k in keys if DERIVED.search(k))}")
    ldd = subprocess.run(["ldd", BIN], capture_output=True, text=True).stdout
    check(not ANALYSIS_LIBS.search(ldd), "RIGHTS-4 the binary links no speech or ML library",
          f"{ANALYSIS_LIBS.findall(ldd)}")

    print(f"\n{len(failures)} failed")
    if failures:
        print(f"logs in {work}\n" + node.log_tail())
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
