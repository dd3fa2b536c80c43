#!/usr/bin/env python3
"""Completeness verdicts and media latching end to end (issue 14 items 2 and 4, issue 12 item 3).

The real `kronika serve`, SIPREC calls from Python (sip_client), RTP from Python UDP sockets.
Each verdict is provoked by a real call and read back with `kronika show --json`:
  complete        both legs send 440/1000 Hz until the BYE
  one-way         one leg never sends (and a no-RTP warning names the SRC and the port)
  silent          both legs send PCMU digital silence
  no-media        nothing is sent at all
  partial         one leg loses 1.5 s mid-call (sequence numbers run on)
  partial         both legs stop 2 s before the BYE
  complete        paused by re-INVITE (a=inactive) for 1 s, with the pause span in the evidence
  one-way         one leg sends only digital silence (after the query check below)
  interrupted     the server gets SIGKILL mid-call and recovers the file on restart
`kronika query --verdict one-way --json` must find exactly the provoked one-way recording;
the CSV has the verdict column; /metrics counts kronika_recordings_finished_total{verdict}.
Latching: a NAT'd source (SDP c= 192.0.2.10, RTP from 127.0.0.1) is recorded and logged once
per stream; a re-INVITE that moves the SRC's RTP ports keeps the audio going; another SSRC
injected from a leg's own address and port leaves no trace in the file and is counted.
A call meant to be complete whose Python sender fell more than 0.25 s behind real time (a
busy machine) really has a gap, so it is made again (up to 3 times) rather than judged.
Exit 77 = skipped (no opus-tools or no kronika binary).
"""
import json
import math
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "sip"))
import harness as h  # noqa: E402
import media_e2e_test as me  # noqa: E402
from sip_client import Dialog, SipClient  # noqa: E402

SKIP = 77
BOUNDARY = "kronika-completeness"
CONFIG = """[media]
no_rtp_warning_ms = 1000
"""


def siprec_body(sdp_addr, ports, version, inactive=False):
    direction = "a=inactive" if inactive else "a=sendonly"
    sdp = (f"v=0\r\no=SRC 4242 {version} IN IP4 {sdp_addr}\r\ns=SIPREC\r\nc=IN IP4 {sdp_addr}\r\nt=0 0\r\n")
    for label, port in enumerate(ports, start=1):
        sdp += (f"m=audio {port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
                f"a=label:{label}\r\n{direction}\r\n")
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\r\n'
           '<recording xmlns="urn:ietf:params:xml:ns:recording:1"><datamode>complete</datamode>'
           '<session session_id="c2Vzcw=="/>'
           '<participant participant_id="YQ=="><nameID aor="sip:+48221234567@example.pl"/></participant>'
           '<participant participant_id="Yg=="><nameID aor="sip:+48227654321@example.pl"/></participant>'
           '<stream stream_id="czE=" session_id="c2Vzcw=="><label>1</label></stream>'
           '<stream stream_id="czI=" session_id="c2Vzcw=="><label>2</label></stream>'
           '<participantstreamassoc participant_id="YQ=="><send>czE=</send><recv>czI=</recv></participantstreamassoc>'
           '<participantstreamassoc participant_id="Yg=="><send>czI=</send><recv>czE=</recv></participantstreamassoc>'
           '</recording>\r\n')
    body = (f"--{BOUNDARY}\r\nContent-Type: application/sdp\r\n\r\n{sdp}"
            f"--{BOUNDARY}\r\nContent-Type: application/rs-metadata+xml\r\n"
            f"Content-Disposition: recording-session\r\n\r\n{xml}--{BOUNDARY}--\r\n")
    return body.encode()


class Leg:
    """One RTP leg of the SRC: its own UDP socket (whose port the SDP offers), PCMU."""

    def __init__(self, ssrc):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.ssrc, self.seq, self.ts = ssrc, 100 * ssrc, 8000 * ssrc
        self.dest = None

    def packet(self, pcm, ssrc=None, seq=None, ts=None):
        header = struct.pack("!BBHII", 0x80, 0, (self.seq if seq is None else seq) & 0xFFFF,
                             (self.ts if ts is None else ts) & 0xFFFFFFFF, self.ssrc if ssrc is None else ssrc)
        return header + bytes(me.ulaw(s) for s in pcm)

    def send(self, pcm):
        self.sock.sendto(self.packet(pcm), self.dest)
        self.seq += 1
        self.ts += 160

    def skip(self):  # a lost packet: the sender's numbers run on
        self.seq += 1
        self.ts += 160


def tone(freq, frame, amplitude=6000):
    return [int(amplitude * math.sin(2 * math.pi * freq * (frame * 160 + i) / 8000)) for i in range(160)]


SILENCE = [0] * 160


class Call:
    def __init__(self, server, sdp_addr="127.0.0.1"):
        self.server = server
        self.client = SipClient("udp", "127.0.0.1", server.sip_port)
        self.dialog = Dialog(self.client)
        self.sdp_addr = sdp_addr
        self.version = 1
        self.max_late_s = 0.0  # how far the Python sender fell behind real time (a loaded machine)
        self.legs = [Leg(1), Leg(2)]
        final = self.offer(inactive=False)
        self.local_ports = [int(p) for p in re.findall(r"^m=audio (\d+)", final.body, re.M)]
        assert len(self.local_ports) == 2, final.body
        for leg, port in zip(self.legs, self.local_ports):
            leg.dest = ("127.0.0.1", port)

    def offer(self, inactive):
        body = siprec_body(self.sdp_addr, [leg.port for leg in self.legs], self.version, inactive)
        self.version += 1
        responses = self.dialog.invite(body, f"multipart/mixed;boundary={BOUNDARY}")
        final = responses[-1] if responses else None
        if final is None or final.status != 200:
            raise AssertionError(f"INVITE answered {final}:\n{self.server.log_tail()}")
        self.dialog.ack(final)
        return final

    def move_ports(self):
        """The SRC moves its RTP to new ports and says so in a re-INVITE."""
        old = self.legs
        self.legs = [Leg(3), Leg(4)]
        for leg, port in zip(self.legs, self.local_ports):
            leg.dest = ("127.0.0.1", port)
        for new, was in zip(self.legs, old):  # the same streams, continued
            new.seq, new.ts = was.seq, was.ts
        self.offer(inactive=False)

    def bye(self):
        self.dialog.bye()
        self.client.close()


def send(call, seconds, what, start_frame=0, on_frame=None):
    """what(leg_index, frame) -> 'tone' | 'zeros' | 'lost' | 'stopped'."""
    start = time.monotonic()
    for k in range(int(seconds * 50)):
        f = start_frame + k
        delay = start + k * 0.02 - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        else:
            call.max_late_s = max(call.max_late_s, -delay)
        if on_frame:
            on_frame(f)
        for i, leg in enumerate(call.legs):
            kind = what(i, f)
            if kind == "tone":
                leg.send(tone(440 if i == 0 else 1000, f))
            elif kind == "zeros":
                leg.send(SILENCE)
            elif kind == "lost":
                leg.skip()
    return start_frame + int(seconds * 50)


def cli(server, *args):
    r = subprocess.run([str(h.BIN), *args, "--data-dir", server.data_dir], capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout, r.stderr


def recording_of(server, call_id):
    rc, out, err = cli(server, "query", "--json", "--limit", "1000")
    for row in json.loads(out or '{"recordings": []}')["recordings"]:
        if row.get("sip_call_id") == call_id:
            return row["recording_id"]
    return None


def finished_record(server, call_id):
    """`kronika show --json` of the call's recording once it is no longer active."""
    def done():
        rid = recording_of(server, call_id)
        if not rid:
            return None
        rc, out, _ = cli(server, "show", rid, "--json")
        record = json.loads(out) if rc == 0 else None
        return record if record and record["state"] != "active" else None
    return h.wait_for(f"recording of {call_id} finished", done, timeout=30)


class Failures(me.Failures):
    pass


# A sender this late left a real gap in what reached the recorder: the call no longer tests
# what it was meant to (the verdict `partial` is then right), so it is made again.
SENDER_STALL_S = 0.25
ATTEMPTS = 3


def complete_call(server, failures, name, make):
    """make() -> the Call, after its BYE. Returns (call, record) of the first attempt whose
    sender kept real time; the verdict must be `complete`."""
    for attempt in range(1, ATTEMPTS + 1):
        call = make()
        record = finished_record(server, call.dialog.call_id)
        if record.get("verdict") == "complete" or call.max_late_s < SENDER_STALL_S or attempt == ATTEMPTS:
            break
        print(f"note {name}: the sender stalled {call.max_late_s:.2f} s (machine busy); "
              f"verdict {record.get('verdict')!r} is right for that, the call is made again", flush=True)
    failures.check(record.get("verdict") == "complete",
                   f"{name}: verdict {record.get('verdict')!r} == 'complete' (sender late by at most "
                   f"{call.max_late_s:.2f} s; findings {(record.get('completeness') or {}).get('findings')})")
    return call, record


def all_tone(i, f):
    return "tone"


def run_verdict_calls(server, failures, work):
    ids = {}

    def expect(name, call, verdict):
        record = finished_record(server, call.dialog.call_id)
        ids[name] = record["recording_id"]
        failures.check(record.get("verdict") == verdict,
                       f"{name}: verdict {record.get('verdict')!r} == {verdict!r} "
                       f"(findings {(record.get('completeness') or {}).get('findings')})")
        return record

    def plain():
        c = Call(server)
        send(c, 2.5, all_tone)
        c.bye()
        return c
    c, complete = complete_call(server, failures, "complete", plain)
    ids["complete"] = complete["recording_id"]
    legs = complete["completeness"]["legs"]
    failures.check(len(legs) == 2 and all(leg["packets_received"] == 125 for leg in legs),
                   f"complete: 125 packets per leg ({[leg['packets_received'] for leg in legs]})")
    failures.check(all(leg["codecs"] == ["PCMU"] for leg in legs), "complete: codec PCMU on both legs")
    rc, text, _ = cli(server, "show", ids["complete"])
    failures.check("Kompletność:" in text and "kompletne" in text, "kronika show prints the verdict, in Polish")

    c = Call(server)
    send(c, 2.5, lambda i, f: "tone" if i == 0 else "stopped")
    c.bye()
    one_way = expect("one-way", c, "one-way")
    failures.check(one_way["completeness"]["findings"][0]["kind"] == "no-packets",
                   f"one-way: the finding names the silent leg ({one_way['completeness']['findings']})")
    log = server.log_text()
    port = c.local_ports[1]
    failures.check(re.search(rf"no RTP from SRC 127\.0\.0\.1.*port {port}", log) is not None,
                   f"one-way: a warning names the SRC and port {port}")

    c = Call(server)
    send(c, 2.5, lambda i, f: "zeros")
    c.bye()
    expect("silent", c, "silent")

    c = Call(server)
    send(c, 2.5, lambda i, f: "stopped")
    c.bye()
    expect("no-media", c, "no-media")

    c = Call(server)
    send(c, 3.0, lambda i, f: "lost" if i == 1 and 50 <= f < 125 else "tone")
    c.bye()
    gap = expect("partial-gap", c, "partial")
    gaps = gap["completeness"]["legs"][1]["gaps"]
    failures.check(len(gaps) == 1 and gaps[0]["kind"] == "loss" and gaps[0]["missing_packets"] == 75,
                   f"partial: the 1.5 s loss is listed ({gaps})")

    c = Call(server)
    send(c, 1.0, all_tone)
    time.sleep(2.0)  # both legs stop mid-call; the BYE comes 2 s later
    c.bye()
    expect("partial-stopped", c, "partial")

    def paused_call():
        c = Call(server)
        f = send(c, 1.0, all_tone)
        c.offer(inactive=True)  # hold: the SRC stops sending (sequence numbers stand still)
        time.sleep(1.0)
        c.offer(inactive=False)
        send(c, 1.0, all_tone, start_frame=f)
        c.bye()
        return c
    c, paused = complete_call(server, failures, "paused", paused_call)
    pauses = paused["completeness"]["legs"][0]["pauses"]
    failures.check(len(pauses) == 1 and 800 <= pauses[0]["to_ms"] - pauses[0]["from_ms"] <= 1300,
                   f"paused: the pause span is in the evidence ({pauses})")

    # Exactly the provoked one-way recording.
    rc, out, _ = cli(server, "query", "--verdict", "one-way", "--json")
    rows = json.loads(out)["recordings"] if rc == 0 else []
    failures.check([r["recording_id"] for r in rows] == [ids["one-way"]],
                   f"query --verdict one-way --json finds exactly {ids['one-way']} ({[r['recording_id'] for r in rows]})")
    rc, out, err = cli(server, "query", "--verdict", "oneway")
    failures.check(rc == 2 and "verdict" in err, f"query --verdict with an unknown value is a usage error ({err.strip()})")
    rc, out, _ = cli(server, "query", "--csv")
    header = out.splitlines()[0].split(",") if out else []
    failures.check("verdict" in header, f"CSV has a verdict column ({header})")

    c = Call(server)
    send(c, 2.5, lambda i, f: "tone" if i == 0 else "zeros")
    c.bye()
    expect("one-leg-silent", c, "one-way")

    metrics = server.metrics()
    rc, out, _ = cli(server, "query", "--json", "--limit", "1000")
    stored = [r["verdict"] for r in json.loads(out)["recordings"]]
    failures.check(stored.count("complete") >= 2 and stored.count("one-way") == 2 and stored.count("silent") == 1
                   and stored.count("no-media") == 1 and stored.count("partial") >= 2,
                   f"the store holds every provoked verdict ({stored})")
    for verdict in ("complete", "one-way", "silent", "no-media", "partial"):
        n = stored.count(verdict)
        got = h.metric_value(metrics, "kronika_recordings_finished_total", {"verdict": verdict})
        failures.check(got == n, f"kronika_recordings_finished_total{{verdict=\"{verdict}\"}} == {n} (got {got})")
    got = h.metric_value(metrics, "kronika_rtp_no_media_streams_total")
    failures.check(got == 3, f"kronika_rtp_no_media_streams_total == 3 (one-way 1 + no-media 2; got {got})")


def run_latching_calls(server, failures, work):
    # NAT: the SDP names the SBC's public address; RTP comes from 127.0.0.1.
    def nat_call():
        c = Call(server, sdp_addr="192.0.2.10")
        send(c, 2.5, all_tone)
        c.bye()
        return c
    c, record = complete_call(server, failures, "NAT: recorded and complete", nat_call)
    failures.check(record["completeness"]["legs"][0]["sdp_source"].startswith("192.0.2.10"),
                   "NAT: the evidence keeps the SDP address")
    log = server.log_text()
    failures.check(len(re.findall(rf"{record['recording_id']}.*RTP from 127\.0\.0\.1:\d+, the SDP gave 192\.0\.2\.10", log)) == 2,
                   "NAT: logged once per stream")
    channels, rate, ch = me.decode(record["file_path"], work)
    failures.check(me.dominant(ch[0][int(0.5 * rate):int(2.0 * rate)], rate) == 440, "NAT: left channel has its tone")

    # Port move by re-INVITE.
    def moving_call():
        c = Call(server)
        f = send(c, 1.5, all_tone)
        c.move_ports()
        send(c, 1.5, all_tone, start_frame=f)
        c.bye()
        return c
    moved_at = 1.5
    c, record = complete_call(server, failures, "port move: complete", moving_call)
    channels, rate, ch = me.decode(record["file_path"], work)
    quiet = [t / 10 for t in range(int((moved_at + 0.2) * 10), int((moved_at + 1.2) * 10))
             if rms(ch[0][int(t / 10 * rate):int((t / 10 + 0.1) * rate)]) < 1000]
    failures.check(not quiet, f"port move: the tone goes on after the move (quiet 100 ms windows at {quiet})")

    # Another SSRC injected from the left leg's own address and port, as loud as the call.
    def injected_call():
        c = Call(server)
        c.dropped_before = h.metric_value(server.metrics(), "kronika_rtp_dropped_packets_total",
                                          {"reason": "wrong_ssrc"}) or 0
        c.injected = 0

        def inject(frame):
            if frame >= 5:
                leg = c.legs[0]
                leg.sock.sendto(leg.packet(tone(700, frame), ssrc=0x6666, seq=9000 + frame, ts=777000 + 160 * frame),
                                leg.dest)
                c.injected += 1
        send(c, 2.5, all_tone, on_frame=inject)
        c.bye()
        return c
    c, record = complete_call(server, failures, "injection: the real audio is complete", injected_call)
    dropped = (h.metric_value(server.metrics(), "kronika_rtp_dropped_packets_total", {"reason": "wrong_ssrc"}) or 0) \
        - c.dropped_before
    failures.check(dropped == c.injected, f"injection: {c.injected} packets refused as wrong_ssrc (counted {dropped})")
    channels, rate, ch = me.decode(record["file_path"], work)
    left = ch[0][int(0.3 * rate):int(2.2 * rate)]
    share_700, share_440 = me.goertzel_share(left, 700, rate), me.goertzel_share(left, 440, rate)
    failures.check(share_700 < share_440 / 1000, f"injection: no 700 Hz in the file ({share_700:.2e} vs 440 Hz {share_440:.2e})")


def rms(x):
    return math.sqrt(sum(v * v for v in x) / len(x)) if x else 0.0


def run_kill9(work, failures):
    root = os.path.join(work, "kill9")
    server = h.Kronika(work=root, config=CONFIG).start()
    try:
        c = Call(server)
        send(c, 2.0, all_tone)
        call_id = c.dialog.call_id
        server.stop(signal.SIGKILL)
        c.client.close()
    finally:
        server.stop()
    with h.Kronika(work=root, config=CONFIG) as again:
        record = finished_record(again, call_id)
    failures.check(record.get("verdict") == "interrupted",
                   f"kill -9: the recovered recording is interrupted ({record.get('verdict')})")


def main():
    for tool in ("opusdec",):
        if shutil.which(tool) is None:
            print(f"SKIP: {tool} not installed (opus-tools)")
            return SKIP
    if not os.path.exists(h.BIN):
        print(f"SKIP: no kronika binary at {h.BIN}")
        return SKIP
    work = tempfile.mkdtemp(prefix="kronika-completeness-")
    failures = Failures()
    try:
        with h.Kronika(work=os.path.join(work, "calls"), config=CONFIG, rtp_ports=60) as server:
            run_verdict_calls(server, failures, work)
            run_latching_calls(server, failures, work)
        run_kill9(work, failures)
    except AssertionError as e:
        failures.append(str(e))
        print("FAIL", e)
    if failures:
        print(f"{len(failures)} failure(s); work dir kept: {work}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
