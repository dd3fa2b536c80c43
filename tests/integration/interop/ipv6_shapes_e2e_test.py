#!/usr/bin/env python3
"""SBCs on IPv6 end to end (issue 14 item 5: address families).

`kronika serve` listens for SIP on [::1] with its RTP bound to ::1 (media.bind_ip); an SRC
sends SIPREC INVITEs over IPv6 and real RTP over IPv6 to the answered ports:
  1. UDP, everything IPv6 (o=, session c=);
  2. TCP, o= IPv4 but the media c= lines IPv6 (an SBC whose signalling and media addresses
     come from different realms), PCMA with telephone-event.
Checked as in interop:sbc-shapes: answered 200 with c=IN IP6 ::1, the recording plays with
each leg on its own channel, found by both numbers, metadata complete, every listing works.
Exit 0 = pass, 1 = fail, 77 = skipped (no IPv6 loopback, no opus-tools).
"""
from __future__ import annotations

import os
import socket
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sbc_shapes_e2e_test as shapes  # noqa: E402

h = shapes.h


def sdp6(origin, session_c, media_c, formats, rtpmaps):
    lines = ["v=0", f"o=ShapeSBC6 1 1 {origin}", "s=SIPREC"] + ([f"c={session_c}"] if session_c else []) + ["t=0 0"]
    for i, label in enumerate(("1", "2")):
        lines += [f"m=audio {36000 + 2 * i} RTP/AVP {formats}"] + ([f"c={media_c}"] if media_c else []) + \
            rtpmaps + [f"a=label:{label}", "a=sendonly"]
    return "\r\n".join(lines) + "\r\n"


def answered_ip6(final, failures):
    failures.check("c=IN IP6 ::1" in final.body.splitlines(), "the answer advertises c=IN IP6 ::1", final.body)


def cases():
    out = []
    caller, callee = "+48221000601", "+48601000601"
    out.append(shapes.Case(
        "IPv6 SBC over UDP: o= and c= IN IP6",
        shapes.multipart(sdp6("IN IP6 ::1", "IN IP6 ::1", "", "0 101",
                              ["a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000"]),
                         shapes.complete_metadata(caller, callee).encode()),
        check_answer=answered_ip6, numbers=(caller, callee)))
    caller, callee = "+48221000602", "+48601000602"
    out.append(shapes.Case(
        "IPv6 over TCP: o= IN IP4, media c= IN IP6, PCMA",
        shapes.multipart(sdp6("IN IP4 192.0.2.60", "", "IN IP6 ::1", "8 101",
                              ["a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15"]),
                         shapes.complete_metadata(caller, callee).encode()),
        transport="tcp", check_answer=answered_ip6, numbers=(caller, callee)))
    return out


def main():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::1", 0))
    except OSError as e:
        h.skip(f"no IPv6 loopback here ({e})")
    return shapes.run_suite(cases(), (), "kronika-ipv6-shapes-", sip_host="::1",
                            config="[media]\nbind_ip = \"::1\"\n")


if __name__ == "__main__":
    sys.exit(main())
