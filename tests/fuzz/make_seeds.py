#!/usr/bin/env python3
"""Writes the hand-made fuzz seeds that are binary (run it again only to change them):

seeds/rtp_leg/pcmu-loss-reorder-dtmf-ssrc-srtp.bin: a FuzzRtpLeg script (rtp_leg_script.h):
  PCMU with a loss and a reorder, an RFC 4733 key press, an SSRC change to PCMA with far-away
  timestamps, then the leg reconfigured to SRTP (AES_CM_128_HMAC_SHA1_80) with packets the
  harness protects.
seeds/recording_file/*.bin: FuzzRecordingFile inputs (recording_file_fuzz.cc) made from a
  1.2 s Ogg Opus file (sox + opusenc): a plain .part cut mid-page, the same Ogg for the
  harness to seal and cut, and a finished KENC0002 file sealed under the harness's key.
Needs sox, opusenc (opus-tools) and python3-cryptography.
"""
import os
import struct
import subprocess
import tempfile
from pathlib import Path

SEEDS = Path(__file__).resolve().parent / "seeds"


def rtp(pt, seq, ts, ssrc, payload, marker=False):
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc) + payload


def cmd(op, delta_ms, data=b""):
    out = bytes([op | (min(delta_ms, 63) << 2)])
    if op in (0, 1):  # datagram, SRTP-protected datagram
        out += struct.pack("<H", len(data)) + data
    return out


def rtp_leg_seed():
    s = bytes([0x07])  # all codecs, 8 kHz, plain RTP
    seq, ts = 1000, 160000
    tone = bytes((0x80 + (i * 37) % 64) for i in range(160))
    for i in range(40):
        if i in (10, 13):  # 10 lost; 13 sent before 12 (reordered)
            continue
        if i == 12:
            s += cmd(0, 20, rtp(0, seq + 13, ts + 13 * 160, 0x1234, tone))
            s += cmd(0, 0, rtp(0, seq + 12, ts + 12 * 160, 0x1234, tone))
            continue
        s += cmd(0, 20, rtp(0, seq + i, ts + i * 160, 0x1234, tone, marker=(i == 0)))
        if i % 5 == 4:
            s += cmd(2, 0)  # drain
    for k in range(3):  # digit 5; the end bit on the last two packets
        event = struct.pack("!BBH", 5, (0x80 if k else 0) | 10, 800 + 160 * k)
        s += cmd(0, 20, rtp(101, seq + 40 + k, ts + 40 * 160, 0x1234, event, marker=(k == 0)))
    for i in range(20):  # new SSRC, PCMA
        s += cmd(0, 20, rtp(8, 7 + i, 99 + i * 160, 0x5678, tone))
    s += cmd(2, 0)
    s += bytes([3, 0x17])  # reconfigure: all codecs, SRTP AES_CM_128_HMAC_SHA1_80
    for i in range(20):
        s += cmd(1, 20, rtp(0, 500 + i, 8000 + i * 160, 0x9ABC, tone))
    s += cmd(2, 0)
    (SEEDS / "rtp_leg" / "pcmu-loss-reorder-dtmf-ssrc-srtp.bin").write_bytes(s)


def sealed_file(plain_chunks, key=b"\x5a" * 32, nonce=bytes(range(12))):
    """KENC0002 (media/include/kronika/media/sealed_file.h), the last record final."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    header = b"KENC0002" + nonce + struct.pack(">I", 1 << 20)
    out = header
    for i, chunk in enumerate(plain_chunks):
        iv = nonce[:4] + bytes(a ^ b for a, b in zip(nonce[4:], struct.pack(">Q", i)))
        aad = header + struct.pack(">Q", i) + bytes([1 if i == len(plain_chunks) - 1 else 0])
        sealed = AESGCM(key).encrypt(iv, chunk, aad)  # ciphertext | tag
        out += struct.pack(">I", len(chunk)) + sealed[-16:] + sealed[:-16]
    return out


def recording_file_seeds():
    with tempfile.TemporaryDirectory() as tmp:
        wav, opus = os.path.join(tmp, "t.wav"), os.path.join(tmp, "t.opus")
        subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", wav, "synth", "1.2", "sine", "440",
                        "vol", "0.5"], check=True)
        subprocess.run(["opusenc", "--quiet", "--bitrate", "8", "--framesize", "20", wav, opus], check=True)
        ogg = Path(opus).read_bytes()
    out = SEEDS / "recording_file"
    (out / "plain-part-cut.bin").write_bytes(b"\x00" + ogg[: len(ogg) * 2 // 3])
    sizes = bytes([40, 3, 90])  # records of 1 + 16 * size bytes, cut 600 bytes into the file
    (out / "sealed-part-records-cut.bin").write_bytes(b"\x01" + bytes([len(sizes)]) + sizes +
                                                      struct.pack(">H", 600) + ogg)
    (out / "sealed-finished.bin").write_bytes(b"\x02" + sealed_file([ogg[:1000], ogg[1000:]]))


if __name__ == "__main__":
    rtp_leg_seed()
    recording_file_seeds()
