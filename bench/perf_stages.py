#!/usr/bin/env python3
"""Per-stage CPU of the media worker from a `perf record` profile (issue 18 item 1).

Reads `perf script -F comm,tid,ip,sym,dso` on stdin, keeps the samples of one thread
(default kr-media-0, the first media worker) and attributes each to a stage of the media
path by its DSO and symbol. libm counts as the encoder: Debian's libopus is the float
build and calls log/pow/log10 itself (in a pure encode, libm samples are ~2 % of
libopus's; the worker's own code calls libm only when a recording finishes).

  perf record -F 1999 -o prof.data -- build/bench/media_bench --calls 400 --seconds 20 --no-ramp
  perf script -i prof.data -F comm,tid,ip,sym,dso | python3 bench/perf_stages.py [--thread kr-media-0] [--json out.json]
"""
import argparse
import collections
import json
import re
import sys

STAGES = [
    ("encode (libopus, its libm calls, our Opus wrapper)",
     lambda d, s: "libopus" in d or d.startswith("libm.") or "OpusFrameEncoder" in s),
    ("receive: kernel (recvmmsg, epoll, copies, receive timestamps)", lambda d, s: d == "[kernel.kallsyms]"),
    ("receive: RTP parse, source latch, classify, SRTP",
     lambda d, s: re.search(r"ReadSocket|PeekRtpHeader|SourceLatch|Classify|OnDatagram|RtpPacket|Srtp|srtp", s + d)),
    ("jitter buffer / reorder", lambda d, s: "JitterBuffer" in s),
    ("decode (G.711, G.722, G.729, Opus in)", lambda d, s: re.search(r"Decoder|G711|G722|G729|spandsp|bcg729", s + d)),
    ("align, resample, mix", lambda d, s: re.search(r"Aligner|Sink::|Resampler|Emit|Drain", s)),
    ("Ogg pages, seal, write", lambda d, s: "libogg" in d or "Ogg" in s or "WriteFrame" in s or "Seal" in s
     or "libsodium" in d or "libcrypto" in d),
    ("libc (memmove, memset, malloc)", lambda d, s: d.startswith("libc.")),
]
OTHER = "other (worker loop, metrics, std::)"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--thread", default="kr-media-0")
    parser.add_argument("--json")
    args = parser.parse_args()
    counts = collections.Counter()
    total = 0
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] != args.thread:
            continue
        total += 1
        dso = line.rsplit("(", 1)[-1].rstrip(")\n").split("/")[-1]
        sym = " ".join(parts[3:-1])
        for name, match in STAGES:
            if match(dso, sym):
                counts[name] += 1
                break
        else:
            counts[OTHER] += 1
    if total == 0:
        sys.exit(f"no samples of thread {args.thread}")
    encoder = counts[STAGES[0][0]]
    rows = [(name, counts[name]) for name, _ in STAGES] + [(OTHER, counts[OTHER])]
    print(f"{args.thread}: {total} samples")
    print("| stage | share of the worker's CPU | cost relative to the encoder |")
    print("|---|---|---|")
    for name, n in rows:
        print(f"| {name} | {100 * n / total:.1f} % | {100 * n / encoder:.1f} % |")
    print(f"| **everything but the encoder** | {100 * (total - encoder) / total:.1f} % | "
          f"**{100 * (total - encoder) / encoder:.1f} %** |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"thread": args.thread, "samples": total,
                       "stages": {name: n / total for name, n in rows},
                       "non_encoder_relative_to_encoder": (total - encoder) / encoder}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
