#!/usr/bin/env python3
"""Input an attacker on the SRC network can send must never end the daemon (issue 12).

Replays every whole-message regression seed of tests/fuzz/seeds/sip_request/ over UDP and
TCP to a real `kronika serve` while one SIPp call is being recorded, and checks what the
sender sees: the inputs that used to abort the daemon get 400 with a Warning naming the
defect (metadata nested 100,000 deep is recorded with its metadata `unparsed`, unwalked),
the daemon keeps answering OPTIONS, the call in progress is recorded to its end,
and each refusal is counted in /metrics. Exit 0 pass, 1 fail, 77 skipped.
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
import traceback
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import harness as h  # noqa: E402
from run_sip_tests import SCENARIOS, Failures, prepare_sipp_dir  # noqa: E402
from sip_client import Response, SipClient  # noqa: E402

SEEDS = h.env_path("KRONIKA_SOURCE", str(HERE.parents[2])) / "tests" / "fuzz" / "seeds" / "sip_request"
UDP_MAX = 60000  # larger seeds go over TCP only

# Seed name prefix -> (status, Warning text) the sender must see.
EXPECTED = {
    "crash-nul-in-part-header": (400, "multipart: NUL byte in the headers of body part 1"),
    "crash-nul-in-part-content-type": (400, "multipart: NUL byte in the headers of body part 1"),
    "crash-nul-after-delimiter": (400, "multipart: NUL byte in the headers of body part 2"),
    "crash-nul-in-metadata-part-header": (400, "multipart: NUL byte in the headers of body part 2"),
    "many-parts": (400, "multipart: more than 16 body parts"),
}


def addressed(raw: bytes, client: SipClient, transport: str) -> bytes:
    """The seed with this client's Via (so the answer comes back here) and a fresh
    Call-ID and branch; its body is sent byte for byte."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    via = f"Via: SIP/2.0/{transport.upper()} 127.0.0.1:{client.local_port};rport;branch=z9hG4bK{uuid.uuid4().hex[:16]}"
    head = re.sub(rb"^Via:[^\r\n]*", via.encode(), head, count=1, flags=re.M)
    head = re.sub(rb"^Call-ID:[^\r\n]*", f"Call-ID: {uuid.uuid4().hex}@hostile".encode(), head, count=1, flags=re.M)
    return head + sep + body


def final_answer(client: SipClient, data: bytes, timeout_s: float = 5.0) -> Response | None:
    responses = client.transaction(data, "INVITE", timeout_s=timeout_s)
    finals = [r for r in responses if r.status >= 200]
    return finals[-1] if finals else None


def deep_metadata_message(depth: int) -> bytes:
    """The issue's second crash: metadata nested `depth` elements deep (351 KB at 50,000)."""
    seed = (SEEDS / "valid-two-parts.sip").read_bytes()
    head, _, body = seed.partition(b"\r\n\r\n")
    xml = (b"<recording xmlns='urn:ietf:params:xml:ns:recording:1'>" + b"<a>" * depth +
           b"</a>" * depth + b"</recording>\r\n")
    start = body.index(b"<?xml")
    end = body.index(b"--kronika-b--")
    body = body[:start] + xml + body[end:]
    head = re.sub(rb"Content-Length: \d+", f"Content-Length: {len(body)}".encode(), head)
    return head + b"\r\n\r\n" + body


def run(binary: Path, ports: h.PortAllocator, tmp: Path, failures: Failures) -> None:
    server = h.Kronika(work=tmp / "server", ports=ports, rtp_ports=40, binary=binary)
    server.start()
    try:
        # A call recorded while the hostile input arrives: it must not be hurt.
        call_dir = tmp / "call"
        prepare_sipp_dir(call_dir)
        _, finish = h.run_sipp(SCENARIOS / "uac-basic-call.xml", server.sip_addr, call_dir, ports,
                               extra=["-d", "4000"], popen=True)
        seeds = sorted(SEEDS.glob("*.sip"))
        failures.check(len(seeds) >= 6, f"{len(seeds)} regression seeds found in {SEEDS}")
        refused = 0
        for transport in ("udp", "tcp"):
            for seed in seeds:
                raw = seed.read_bytes()
                if transport == "udp" and len(raw) > UDP_MAX:
                    continue
                client = SipClient(transport, h.LOOPBACK, server.sip_port)
                try:
                    answer = final_answer(client, addressed(raw, client, transport))
                finally:
                    client.close()
                name = f"{seed.stem} over {transport.upper()}"
                expected = next((v for k, v in EXPECTED.items() if seed.stem.startswith(k)), None)
                got = answer.status_line if answer else "no answer"
                if expected is not None:
                    status, warning = expected
                    ok = answer is not None and answer.status == status and warning in (answer.header("warning") or "")
                    failures.check(ok, f"{name}: {status} with Warning '{warning}' (got {got}, "
                                       f"Warning {answer.header('warning') if answer else None})")
                    refused += 1 if ok else 0
                else:
                    failures.check(answer is not None, f"{name}: answered ({got})")
                failures.check(server.alive(), f"daemon alive after {name}", server.log_text())
                if not server.alive():
                    return
        # Metadata over the bounds is not walked, and (issue 14) does not cost the call: the
        # INVITE's SDP is good, so it is answered 200 and recorded with metadata `unparsed`.
        too_large_before = server.metric("kronika_metadata_defects_total", {"reason": "too_large"}) or 0
        for depth in (20000, 50000, 100000):
            client = SipClient("tcp", h.LOOPBACK, server.sip_port, timeout_s=10)
            try:
                answer = final_answer(client, addressed(deep_metadata_message(depth), client, "tcp"), 10)
            finally:
                client.close()
            failures.check(answer is not None and answer.status == 200,
                           f"metadata {depth} deep over TCP: 200, recorded with metadata unparsed "
                           f"(got {answer.status_line if answer else 'no answer'})")
            failures.check(server.alive(), f"daemon alive after metadata {depth} deep", server.log_text())
        too_large = (server.metric("kronika_metadata_defects_total", {"reason": "too_large"}) or 0) - too_large_before
        failures.check(too_large == 3, f"each counted: kronika_metadata_defects_total{{reason=\"too_large\"}} +{too_large:.0f}")
        failures.check(h.sip_options_ping(server.sip_port, timeout_s=2) is not None and
                       h.sip_options_ping(server.sip_port, timeout_s=2, transport="tcp") is not None,
                       "OPTIONS still answered over UDP and TCP")
        call = finish()
        failures.check(call.rc == 0, "the call in progress finished normally", call.logs())
        rejected = server.metric("kronika_sessions_rejected_total", {"reason": "bad_multipart"})
        failures.check(rejected is not None and rejected >= refused,
                       f"refusals counted: kronika_sessions_rejected_total{{reason=\"bad_multipart\"}} = "
                       f"{rejected} >= {refused}")
        failures.check("NUL byte in the headers" in server.log_text(200000),
                       "each refusal logged with its reason")
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-base", type=int, default=9000)
    args = parser.parse_args()
    binary = h.kronika_binary()
    h.require_tools("sipp", "sox")
    ports = h.PortAllocator(args.port_base, span=400)
    tmp = h.make_tempdir("kronika-hostile-")
    failures = Failures()
    try:
        run(binary, ports, tmp, failures)
    except Exception:
        failures.check(False, "harness", traceback.format_exc())
    print(f"\n{len(failures.passed)} passed, {len(failures.items)} failed")
    if failures.items:
        print(f"logs kept in {tmp}")
        return 1
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
