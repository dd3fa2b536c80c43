#!/usr/bin/env python3
"""Media end to end against the real `kronika serve` (stdlib + opus-tools only).

1. call: SIPREC INVITE (two m-lines), RTP from two UDP sockets in the answered G.711 codec:
   440 Hz on m-line 0, 1000 Hz on m-line 1, a loud 2 kHz click on both at 1.5 s; BYE.
   The .opus file must pass opusinfo, be stereo, last as long as the call (+-60 ms), carry
   440 Hz left / 1000 Hz right and the click within 20 ms on both channels.
2. kill -9: a second call is recorded for 3 s, the server gets SIGKILL, is restarted on the
   same data dir and must repair the .opus.part into a playable .opus of >= 1.5 s.
"""
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
import time
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "sip"))
import harness as h  # noqa: E402
from sip_client import Dialog, SipClient  # noqa: E402

SKIP = 77
BODY = os.path.join(h.SOURCE, "interop", "sipp", "bodies", "lf-only-siprec-body.txt")
CTYPE = "multipart/mixed;boundary=kronika-lf-boundary"


def ulaw(sample):
    bias, clip = 0x84, 32635
    sign = 0x80 if sample < 0 else 0
    s = min(abs(sample), clip) + bias
    exp = 7
    mask = 0x4000
    while exp > 0 and not (s & mask):
        exp -= 1
        mask >>= 1
    return ~(sign | (exp << 4) | ((s >> (exp + 3)) & 0x0F)) & 0xFF


def alaw(sample):
    sign = 0x80 if sample >= 0 else 0x00
    s = min(abs(sample), 32767) >> 3
    if s >= 32:
        exp = 1
        while s >= 64 and exp < 7:
            s >>= 1
            exp += 1
        code = (exp << 4) | ((s >> 1) & 0x0F)
    else:
        code = s >> 1
    return (code | sign) ^ 0x55


def parse_answer(sdp):
    """[(port, payload type)] per m-line of the 200 OK SDP."""
    streams = []
    for m in re.finditer(r"^m=audio (\d+) RTP/S?AVP (\d+)", sdp, re.M):
        streams.append((int(m.group(1)), int(m.group(2))))
    return streams


class Leg:
    def __init__(self, port, pt, ssrc):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.dest = ("127.0.0.1", port)
        self.pt, self.ssrc, self.seq, self.ts = pt, ssrc, 1000 + ssrc, 50000 * ssrc
        self.encode = ulaw if pt == 0 else alaw

    def send(self, pcm):
        header = struct.pack("!BBHII", 0x80, self.pt, self.seq & 0xFFFF, self.ts & 0xFFFFFFFF, self.ssrc)
        self.sock.sendto(header + bytes(self.encode(s) for s in pcm), self.dest)
        self.seq += 1
        self.ts += len(pcm)


def send_call(legs, seconds, freqs, click_at_s=None):
    start = time.monotonic()
    for f in range(int(seconds * 50)):
        delay = start + f * 0.02 - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        for leg, freq in zip(legs, freqs):
            pcm = []
            for i in range(160):
                n = f * 160 + i
                if click_at_s is not None and f == int(click_at_s * 50) and i < 80:
                    pcm.append(int(30000 * math.sin(2 * math.pi * 2000 * n / 8000)))
                else:
                    pcm.append(int(6000 * math.sin(2 * math.pi * freq * n / 8000)))
            leg.send(pcm)


def find_files(root, suffix):
    out = []
    for d, _, files in os.walk(root):
        out += [os.path.join(d, f) for f in files if f.endswith(suffix)]
    return out


def decode(path, workdir):
    wav_path = os.path.join(workdir, os.path.basename(path) + ".wav")
    subprocess.run(["opusdec", "--quiet", path, wav_path], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with wave.open(wav_path) as w:
        channels, rate, frames = w.getnchannels(), w.getframerate(), w.readframes(w.getnframes())
    samples = struct.unpack("<%dh" % (len(frames) // 2), frames)
    return channels, rate, [samples[c::channels] for c in range(channels)]


def goertzel_share(x, freq, rate):
    w = 2 * math.pi * freq / rate
    coeff = 2 * math.cos(w)
    s1 = s2 = energy = 0.0
    for v in x:
        s1, s2 = v + coeff * s1 - s2, s1
        energy += v * v
    power = s1 * s1 + s2 * s2 - coeff * s1 * s2
    return power / (energy * len(x)) if energy else 0.0


def dominant(x, rate):
    return max((440, 1000), key=lambda f: goertzel_share(x, f, rate))


def loudest_block_s(x, rate):
    block = rate // 200
    best, best_at = -1.0, 0
    for i in range(0, len(x) - block, block // 2):
        e = sum(v * v for v in x[i:i + block])
        if e > best:
            best, best_at = e, i
    return best_at / rate


def opusinfo_ok(path):
    r = subprocess.run(["opusinfo", path], capture_output=True, text=True)
    text = r.stdout + r.stderr
    return r.returncode == 0 and "WARNING" not in text and "ERROR" not in text, text


class Failures(list):
    def check(self, ok, what):
        print(("ok   " if ok else "FAIL ") + what, flush=True)
        if not ok:
            self.append(what)


def start_call(server):
    client = SipClient("udp", "127.0.0.1", server.sip_port)
    dialog = Dialog(client)
    body = open(BODY).read().replace("\r\n", "\n").replace("\n", "\r\n").encode()
    responses = dialog.invite(body, CTYPE)
    final = responses[-1] if responses else None
    if final is None or final.status != 200:
        raise AssertionError(f"INVITE answered {final}:\n{server.log_tail()}")
    dialog.ack(final)
    streams = parse_answer(final.body)
    if len(streams) != 2:
        raise AssertionError(f"answer has {len(streams)} audio m-lines:\n{final.body}")
    return client, dialog, [Leg(port, pt, i + 1) for i, (port, pt) in enumerate(streams)]


def test_call(work, failures):
    with h.Kronika(work=os.path.join(work, "call")) as server:
        client, dialog, legs = start_call(server)
        t_open = time.monotonic()
        send_call(legs, 3.0, (440, 1000), click_at_s=1.5)
        dialog.bye()
        wall = time.monotonic() - t_open
        files = h.wait_for("finished .opus", lambda: find_files(server.work, ".opus"), timeout=20)
        client.close()
    path = files[0]
    ok, info = opusinfo_ok(path)
    failures.check(ok, f"opusinfo accepts {os.path.basename(path)}" + ("" if ok else "\n" + info))
    channels, rate, ch = decode(path, work)
    failures.check(channels == 2, f"stereo file (got {channels} channels)")
    if channels != 2:
        return
    duration = len(ch[0]) / rate
    failures.check(abs(duration - wall) <= 0.060, f"duration {duration:.3f} s ~ call {wall:.3f} s")
    mid = lambda x: x[int(0.3 * rate):int(1.3 * rate)]  # noqa: E731
    failures.check(dominant(mid(ch[0]), rate) == 440, "left channel is the 440 Hz leg")
    failures.check(dominant(mid(ch[1]), rate) == 1000, "right channel is the 1000 Hz leg")
    left, right = loudest_block_s(ch[0], rate), loudest_block_s(ch[1], rate)
    # Requirement: within 20 ms; the loudest-block search steps by 2.5 ms.
    failures.check(abs(left - right) <= 0.0225, f"click aligned: left {left:.3f} s, right {right:.3f} s")


def test_kill9(work, failures):
    root = os.path.join(work, "kill9")
    server = h.Kronika(work=root).start()
    try:
        client, dialog, legs = start_call(server)
        send_call(legs, 3.0, (440, 1000))
        parts = find_files(server.work, ".opus.part")
        failures.check(len(parts) == 1, f"a .opus.part is being written ({parts})")
        server.stop(signal.SIGKILL)
        client.close()
    finally:
        server.stop()
    with h.Kronika(work=root):  # same data dir, fresh ports
        files = h.wait_for("repaired .opus", lambda: find_files(root, ".opus"), timeout=20)
    failures.check(not find_files(root, ".opus.part"), "no .opus.part left after restart")
    ok, info = opusinfo_ok(files[0])
    failures.check(ok, "opusinfo accepts the repaired file" + ("" if ok else "\n" + info))
    channels, rate, ch = decode(files[0], work)
    duration = len(ch[0]) / rate
    failures.check(1.5 <= duration <= 3.3, f"repaired file keeps the audio up to the cut ({duration:.2f} s of 3 s)")
    failures.check(dominant(ch[0][int(0.3 * rate):int(1.3 * rate)], rate) == 440, "repaired left channel is 440 Hz")


def main():
    for tool in ("opusinfo", "opusdec"):
        if shutil.which(tool) is None:
            print(f"SKIP: {tool} not installed (opus-tools)")
            return SKIP
    if not os.path.exists(h.BIN):
        print(f"SKIP: no kronika binary at {h.BIN}")
        return SKIP
    work = tempfile.mkdtemp(prefix="kronika-media-e2e-")
    failures = Failures()
    try:
        test_call(work, failures)
        test_kill9(work, failures)
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
