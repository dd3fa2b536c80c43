#!/usr/bin/env python3
"""kronika-loadgen sends every input codec Kronika decodes, from real speech, and a real
`kronika serve` records it: for PCMU, PCMA, G.722, G.729 and Opus over RTP/AVP, and PCMA
and Opus over SDES-SRTP (RTP/SAVP, a=crypto), two 3 s calls each must be answered and
ended, the server must accept exactly the packets the load generator sent, and both
channels of each recording, decoded with opusdec, must carry the speech that was sent:
the 20 ms loudness contour of each channel must follow some stretch of the source
(correlation >= MIN_CORRELATION), which silence, a tone, noise, other speech or a broken
decoder cannot do.

Speech: a Polish announcement spoken by espeak-ng at test time (22.05 kHz, so the load
generator's resampling to 8 and 16 kHz is exercised too); without espeak-ng the test is
skipped (77). Not the interop corpus recording: it is continuous speech with almost no
pauses (0.7 % of its 20 ms frames are 20 dB below its loudest), whose flat loudness
contour cannot tell the speech sent from other speech. A functional test, not a timed one.
"""
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import wave

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness as h  # noqa: E402

LOADGEN = os.path.join(os.environ.get("KRONIKA_BUILD", os.path.join(h.SOURCE, "build")), "interop/kronika-loadgen")
CASES = [("pcmu", False), ("pcma", False), ("g722", False), ("g729", False), ("opus", False),
         ("pcma", True), ("opus", True)]
CALLS = 2
CALL_SECONDS = 3
RATE = 8000            # everything is compared at 8 kHz (opusdec --rate 8000)
FRAME = RATE // 50     # 20 ms
FLOOR_DB = -60.0       # loudness contour floor, dB relative to full scale
# Measured (2 runs, 56 channels): the speech sent 0.92-0.99; the same recordings against
# the time-reversed speech <= 0.75, against unrelated speech <= 0.69; noise 0.23, a tone 0.07.
MIN_CORRELATION = 0.85
MIN_ACTIVE_SHARE = 0.2 # frames within 30 dB of the channel's loudest: speech has syllables


def speech_source(work):
    """(file for the load generator, its 8 kHz 16-bit mono version for the comparison)."""
    source = os.path.join(work, "espeak.wav")
    text = ("Dzień dobry, dodzwonili się Państwo do urzędu miasta. Rozmowa jest nagrywana. "
            "Proszę podać numer sprawy oraz imię i nazwisko, a następnie opisać, w czym możemy pomóc. "
            "Dziękujemy za cierpliwość, konsultant odbierze za chwilę.")
    subprocess.run(["espeak-ng", "-v", "pl", "-s", "150", "-w", source, text], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    reference = os.path.join(work, "reference-8k.wav")
    subprocess.run(["sox", source, "-r", str(RATE), "-c", "1", "-b", "16", "-e", "signed-integer", reference],
                   check=True)
    return source, read_wav(reference)[0]


def read_wav(path):
    with wave.open(path) as w:
        channels, data = w.getnchannels(), w.readframes(w.getnframes())
    samples = struct.unpack("<%dh" % (len(data) // 2), data)
    return [samples[c::channels] for c in range(channels)]


def contour(x):
    """Loudness per 20 ms frame in dB (floored at FLOOR_DB)."""
    out = []
    for i in range(0, len(x) - FRAME + 1, FRAME):
        energy = sum(v * v for v in x[i:i + FRAME]) / FRAME
        out.append(max(FLOOR_DB, 10 * math.log10(energy / 32768.0 ** 2 + 1e-12)))
    return out


def best_correlation(recorded, source):
    """Highest Pearson correlation of `recorded` with any stretch of `source` (looped)."""
    n = len(recorded)
    mean_r = sum(recorded) / n
    centred = [v - mean_r for v in recorded]
    norm_r = math.sqrt(sum(v * v for v in centred))
    if norm_r == 0 or len(source) < n:
        return 0.0
    looped = source + source[:n]
    best = -1.0
    s1 = sum(looped[:n])
    s2 = sum(v * v for v in looped[:n])
    for lag in range(len(source)):
        if lag:
            old, new = looped[lag - 1], looped[lag + n - 1]
            s1 += new - old
            s2 += new * new - old * old
        var = s2 - s1 * s1 / n
        if var <= 1e-9:
            continue
        dot = sum(a * b for a, b in zip(looped[lag:lag + n], centred))
        best = max(best, dot / (math.sqrt(var) * norm_r))
    return best


def recordings(server):
    found = set()
    for d, _, files in os.walk(server.data_dir):
        found.update(os.path.join(d, f) for f in files if f.endswith(".opus"))
    return found


def check_case(server, source, reference_contour, codec, srtp, work, failures):
    label = codec + ("+srtp" if srtp else "")
    before = recordings(server)
    sent_before = server.metric("kronika_rtp_packets_total") or 0
    report_path = os.path.join(work, f"loadgen-{label}.json")
    cmd = [LOADGEN, "--target", f"127.0.0.1:{server.sip_port}", "--local", f"127.0.0.1:{h.free_udp_tcp_port()}",
           "--rtp-port-base", str(h.free_udp_tcp_port()), "--calls", str(CALLS), "--total", str(CALLS),
           "--rate", "20", "--duration", str(CALL_SECONDS), "--codec", codec, "--audio", source,
           "--json", report_path] + (["--srtp"] if srtp else [])
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if run.returncode != 0 or not os.path.exists(report_path):
        failures.append(f"{label}: loadgen exit {run.returncode}: {run.stderr[-800:]}")
        return
    report = json.load(open(report_path))
    if report["codec"] != codec or report["srtp"] != srtp:
        failures.append(f"{label}: loadgen reports codec {report['codec']} srtp {report['srtp']}")
    if report["completed"] != CALLS or report["failures_by_code"]:
        failures.append(f"{label}: calls {json.dumps(report)}")
        return
    files = h.wait_for(f"{label}: {CALLS} finished recordings",
                       lambda: (lambda new: new if len(new) >= CALLS else None)(recordings(server) - before),
                       timeout=20)
    sent = report["rtp"]["packets_sent"]
    accepted = (server.metric("kronika_rtp_packets_total") or 0) - sent_before
    if sent < CALLS * 2 * 50 * (CALL_SECONDS - 1):
        failures.append(f"{label}: only {sent} RTP packets sent")
    if accepted != sent:
        failures.append(f"{label}: server accepted {accepted:.0f} packets, loadgen sent {sent}")
    for path in sorted(files):
        wav_path = os.path.join(work, f"{label}-{os.path.basename(path)}.wav")
        subprocess.run(["opusdec", "--quiet", "--rate", str(RATE), path, wav_path], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        channels = read_wav(wav_path)
        if len(channels) != 2:
            failures.append(f"{label}: {os.path.basename(path)} has {len(channels)} channels, expected 2")
            continue
        seconds = len(channels[0]) / RATE
        if abs(seconds - CALL_SECONDS) > 0.5:
            failures.append(f"{label}: {os.path.basename(path)} lasts {seconds:.2f} s for a {CALL_SECONDS} s call")
        for name, samples in zip(("left", "right"), channels):
            c = contour(samples)[10:-10]  # the first/last 200 ms may hold the call's edges
            loudest = max(c)
            active = sum(1 for v in c if v > max(FLOOR_DB, loudest - 30)) / len(c)
            corr = best_correlation(c, reference_contour)
            ok = loudest > -40 and active >= MIN_ACTIVE_SHARE and corr >= MIN_CORRELATION
            print(f"{'ok  ' if ok else 'FAIL'} {label} {os.path.basename(path)} {name}: loudest {loudest:.1f} dBFS, "
                  f"active {active:.0%}, follows the speech with r = {corr:.2f}", flush=True)
            if not ok:
                failures.append(f"{label}: {name} channel of {os.path.basename(path)} is not the speech sent "
                                f"(loudest {loudest:.1f} dBFS, active {active:.0%}, r = {corr:.2f})")


def main():
    h.require_tools("opusdec", "sox", "espeak-ng")
    if not os.path.exists(LOADGEN) or not os.path.exists(h.BIN):
        h.skip(f"build kronika and kronika-loadgen first ({LOADGEN}, {h.BIN})")
    work = tempfile.mkdtemp(prefix="kronika-loadgen-codecs-")
    failures = []
    source, reference = speech_source(work)
    reference_contour = contour(reference)
    server = h.Kronika(rtp_ports=200, work=os.path.join(work, "server"))
    try:
        server.start()
        for codec, srtp in CASES:
            check_case(server, source, reference_contour, codec, srtp, work, failures)
    except AssertionError as e:
        failures.append(str(e))
    finally:
        server.stop()
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures) + "\n--- kronika log ---\n" + server.log_tail())
        print(f"work dir kept: {work}")
        return 1
    if not os.environ.get("KRONIKA_KEEP_WORK"):
        shutil.rmtree(work, ignore_errors=True)
    print(f"OK: {len(CASES)} codec/transport cases, {CALLS} calls each, speech on both channels")
    return 0


if __name__ == "__main__":
    sys.exit(main())
