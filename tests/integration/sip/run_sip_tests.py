#!/usr/bin/env python3
"""End-to-end SIP tests: the real `kronika serve` driven by the project's SIPp scenarios
(interop/sipp/), a TLS client and every vendor body of the interop corpus.

Usage (ctest runs one group per entry):
  run_sip_tests.py --group calls|edge|errors|overload|tls|vendor-bodies --port-base N
Environment: KRONIKA_BIN (required), KRONIKA_SHARED, KRONIKA_SOURCE (see
tests/integration/CMakeLists.txt). Exit 0 = pass, 1 = fail, 77 = skipped.
"""
from __future__ import annotations

import argparse
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import harness as h  # noqa: E402
from sip_client import Dialog, Response, SipClient, find_boundary, to_tag_of  # noqa: E402

SOURCE = h.env_path("KRONIKA_SOURCE", str(HERE.parents[2]))
SCENARIOS = SOURCE / "interop" / "sipp"
SHARED = h.env_path("KRONIKA_SHARED", str(SOURCE.parent / "shared"))

CALL_MS = "2000"  # -d: how long calls hold before BYE

# Scenarios after which the recording itself is checked: (min, max) playback seconds.
RECORDING_CHECKS = {
    "uac-basic-call.xml": (1.8, 3.0),
    "uac-tcp-basic-call.xml": (1.8, 3.0),
}

# group -> list of (scenario file, transport, extra SIPp args)
SIPP_GROUPS = {
    "calls": [
        ("uac-basic-call.xml", "u1", ["-d", CALL_MS]),
        ("uac-tcp-basic-call.xml", "t1", ["-d", CALL_MS]),
        ("uac-pause-resume-reinvite.xml", "u1", []),
        ("uac-pause-resume-update.xml", "u1", []),
        ("uac-metadata-update.xml", "u1", []),
        ("uac-options-keepalive.xml", "u1", []),
    ],
    "edge": [
        ("uac-no-require-siprec-src-param.xml", "u1", ["-d", "1000"]),
        ("uac-lf-only-body.xml", "u1", []),
        ("uac-missing-closing-boundary.xml", "u1", []),
        ("uac-reinvite-without-sdp.xml", "u1", []),
        ("uac-session-timer.xml", "u1", []),
        ("uac-bad-xml-recorded.xml", "u1", []),
    ],
    "errors": [
        ("uac-plain-sdp-expect-488.xml", "u1", []),
        ("uac-bad-sdp-expect-400-or-488.xml", "u1", []),
        ("uac-broken-multipart-expect-400.xml", "u1", []),
        ("uac-unknown-method-expect-405-501.xml", "u1", []),
        ("uac-unsupported-content-type-expect-415.xml", "u1", []),
    ],
}


class Failures:
    def __init__(self):
        self.items: list[str] = []
        self.passed: list[str] = []

    def check(self, ok: bool, name: str, detail: str = "") -> bool:
        if ok:
            self.passed.append(name)
            print(f"PASS {name}")
        else:
            self.items.append(name)
            print(f"FAIL {name}\n{detail}")
        return ok


def prepare_sipp_dir(workdir: Path) -> None:
    """Media and verbatim bodies the scenarios read relative to their working dir."""
    workdir.mkdir(parents=True, exist_ok=True)
    h.make_alaw_tone(workdir / "tone_alaw.wav")
    bodies = workdir / "bodies"
    if not bodies.exists():
        bodies.symlink_to(SCENARIOS / "bodies")


def recordings(server: h.Kronika) -> set[Path]:
    return set((Path(server.data_dir) / "recordings").rglob("*.opus"))


def channel_rms(wav: Path, channel: int) -> float:
    out = subprocess.run(["sox", str(wav), "-n", "remix", str(channel), "stat"],
                         stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True).stderr
    m = re.search(r"RMS\s+amplitude:\s+([0-9.]+)", out)
    return float(m.group(1)) if m else -1.0


def check_recording(server: h.Kronika, before: set[Path], name: str,
                    limits: tuple[float, float], failures: Failures) -> None:
    """What a user gets: one new stereo Ogg Opus file as long as the call, the tone SIPp
    played into m-line 1 on one channel and (nothing sent on m-line 2) near-silence on the
    other."""
    new = sorted(recordings(server) - before)
    if not failures.check(len(new) == 1, f"{name}: one new recording file",
                          f"  new files: {new}\n{server.log_text(3000)}"):
        return
    info = subprocess.run(["opusinfo", str(new[0])], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True).stdout
    m = re.search(r"Playback length:\s*(\d+)m:([0-9.]+)s", info)
    length = int(m.group(1)) * 60 + float(m.group(2)) if m else -1.0
    channels = re.search(r"Channels:\s*(\d+)", info)
    failures.check(channels is not None and channels.group(1) == "2"
                   and limits[0] <= length <= limits[1],
                   f"{name}: stereo, {limits[0]}-{limits[1]} s long (got {length:.2f} s)", info)
    wav = new[0].with_suffix(".check.wav")
    subprocess.run(["opusdec", "--quiet", "--rate", "8000", str(new[0]), str(wav)], check=False)
    loud, quiet = sorted((channel_rms(wav, 1), channel_rms(wav, 2)), reverse=True)
    failures.check(loud > 0.1 and quiet < 0.02,
                   f"{name}: the tone is on one channel (RMS {loud:.3f}), the silent leg "
                   f"on the other (RMS {quiet:.3f})")
    wav.unlink(missing_ok=True)


def run_scenario(server: h.Kronika, ports: h.PortAllocator, tmp: Path, name: str,
                 transport: str, extra: list[str], failures: Failures,
                 check_audio: bool = True) -> None:
    before = recordings(server)
    workdir = tmp / name.removesuffix(".xml")
    prepare_sipp_dir(workdir)
    result = h.run_sipp(SCENARIOS / name, server.sip_addr, workdir, ports,
                        transport=transport, extra=extra, timeout_s=60)
    ok = result.rc == 0 and server.alive()
    detail = ""
    if not ok:
        detail = (f"  sipp exit code {result.rc} after {result.elapsed_s:.1f} s; server "
                  f"{'alive' if server.alive() else 'DEAD'}\n{result.stdout[-3000:]}\n"
                  f"{result.logs()}\n--- server log ---\n{server.log_text()}")
    failures.check(ok, f"{name} ({transport})", detail)
    if check_audio and name in RECORDING_CHECKS and result.rc == 0:
        time.sleep(0.5)  # the file is closed just after the BYE is answered
        check_recording(server, before, name, RECORDING_CHECKS[name], failures)


def group_sipp(group: str, binary: Path, ports: h.PortAllocator, tmp: Path,
               failures: Failures) -> None:
    server = h.Kronika(work=tmp / "server", ports=ports, rtp_ports=100, binary=binary)
    server.start()
    try:
        for name, transport, extra in SIPP_GROUPS[group]:
            run_scenario(server, ports, tmp, name, transport, extra, failures)
        if group == "edge":
            check_cancel_before_answer(server, failures)
        if group == "errors":
            check_unserved_methods_refused(server, failures)
            check_accept_headers(server, failures)
    finally:
        code = server.stop()
        failures.check(code == 0, "server exits 0 on SIGTERM",
                       f"  exit code {code}\n{server.log_text()}")


def check_cancel_before_answer(server: h.Kronika, failures: Failures) -> None:
    """CANCEL right behind the INVITE (RFC 3261 9.2). SIPp cannot send two requests
    without handling the 100 Trying in between, so this one is done by hand. Both legal
    outcomes are accepted and each is checked to its end: the CANCEL wins (200 to the
    CANCEL, 487 to the INVITE, our ACK) or the 200 to the INVITE was already out (CANCEL
    gets 200 or 481; we ACK and BYE -> 200)."""
    client = SipClient("udp", h.LOOPBACK, server.sip_port)
    try:
        d = Dialog(client)
        body, ctype = siprec_body()
        d.invite_branch = client.new_branch()
        invite = d._request("INVITE", ["Require: siprec", "Supported: siprec"], body, ctype,
                            branch=d.invite_branch)
        d.invite_cseq = d.cseq
        cancel = d._request("CANCEL", [], branch=d.invite_branch, cseq=d.invite_cseq)
        client.send(invite)
        client.send(cancel)
        finals: dict[str, object] = {}
        deadline = time.time() + 5
        while time.time() < deadline and len(finals) < 2:
            raw = client.receive(0.5)
            if raw and raw.startswith(b"SIP/2.0"):
                r = Response(raw)
                if r.status >= 200:
                    finals.setdefault(r.cseq_method(), r)
        inv, can = finals.get("INVITE"), finals.get("CANCEL")
        got = f"INVITE -> {inv and inv.status_line}, CANCEL -> {can and can.status_line}"
        if inv is not None and inv.status == 487:
            ok = can is not None and can.status == 200
            d.to_tag = to_tag_of(inv)
            d.ack(inv)
            failures.check(ok, "CANCEL before answer: 200 (CANCEL) + 487 (INVITE)",
                           f"  {got}\n{server.log_text()}")
        elif inv is not None and inv.status == 200:
            d.to_tag = to_tag_of(inv)
            d.ack(inv)
            bye = d.bye()
            ok = (can is not None and can.status in (200, 481)) and bool(bye) \
                and bye[-1].status == 200
            failures.check(ok, "CANCEL after the answer: CANCEL 200/481, call ended by BYE 200",
                           f"  {got}; BYE -> {bye}\n{server.log_text()}")
        else:
            failures.check(False, "CANCEL before answer", f"  {got}\n{server.log_text()}")
    finally:
        client.close()


def media_types(values: list[str]) -> list[str]:
    """Every media type of one or more Accept header values, lower case, in order."""
    return [t.split(";")[0].strip().lower() for v in values for t in v.split(",") if t.strip()]


def check_accept_headers(server: h.Kronika, failures: Failures) -> None:
    """RFC 3261 20.1 / 11.2: the OPTIONS answer and a 415 name each body type Kronika takes
    once (sofia-sip adds its own application/sdp to OPTIONS answers; it used to be there
    twice). Raw requests, so nothing in between merges or reorders the headers."""
    wanted = {"application/sdp", "multipart/mixed", "application/rs-metadata+xml"}

    def check_final(resp, status: int, what: str) -> None:
        final = resp[-1] if resp else None
        types = media_types(final.all("accept")) if final else []
        failures.check(final is not None and final.status == status
                       and len(types) == len(set(types)) and wanted <= set(types),
                       f"{what} Accept names each type once (got {types})",
                       f"  {final.status_line if final else 'no answer'}")

    client = SipClient("udp", h.LOOPBACK, server.sip_port)
    try:
        options = Dialog(client).options()
        check_final(options, 200, "OPTIONS 200")
        encodings = options[-1].header("accept-encoding") if options else None
        failures.check(encodings == "gzip, deflate, identity",
                       f"OPTIONS 200 Accept-Encoding names the codings Kronika decodes (got {encodings})")
        d = Dialog(client)
        resp = d.invite(b"hello", "text/plain")
        check_final(resp, 415, "415")
        if resp:
            d.ack(resp[-1])
        # RFC 3261 8.2.3: a body in a coding Kronika cannot decode is 415 with Accept-Encoding.
        d = Dialog(client)
        resp = d.invite(b"\x1f\x8b not really", "application/sdp",
                        ["Require: siprec", "Supported: siprec", "Content-Encoding: br"])
        final = resp[-1] if resp else None
        failures.check(final is not None and final.status == 415 and
                       final.header("accept-encoding") == "gzip, deflate, identity" and
                       "unsupported Content-Encoding br" in (final.header("warning") or ""),
                       f"Content-Encoding br: 415 with Accept-Encoding and a Warning (got {final!r}, "
                       f"Accept-Encoding {final.header('accept-encoding') if final else None})")
        if final is not None:
            d.ack(final)
    finally:
        client.close()


def check_unserved_methods_refused(server: h.Kronika, failures: Failures) -> None:
    """An SRS records sessions; requests it does not serve out of dialog must be refused
    (>= 400), never accepted: a 202 to a REFER would tell anyone the recorder will call
    the Refer-To target."""
    client = SipClient("udp", h.LOOPBACK, server.sip_port)
    try:
        for method, extra in (("REFER", ["Refer-To: <sip:attacker@example.com>"]),
                              ("SUBSCRIBE", ["Event: dialog", "Expires: 60"]),
                              ("MESSAGE", []), ("PUBLISH", ["Event: presence"]),
                              ("REGISTER", []), ("INFO", [])):
            d = Dialog(client)
            resp = client.transaction(d._request(method, extra), method)
            final = resp[-1] if resp else None
            failures.check(final is not None and final.status >= 400,
                           f"out-of-dialog {method} is refused (got "
                           f"{final.status_line if final else 'no answer'})")
    finally:
        client.close()


def group_overload(binary: Path, ports: h.PortAllocator, tmp: Path, failures: Failures) -> None:
    """sip.max_sessions = 1: one call held open, the second INVITE must get 503."""
    server = h.Kronika(work=tmp / "server", ports=ports, rtp_ports=200, binary=binary,
                       config="[sip]\nmax_sessions = 1\n")
    server.start()
    try:
        holder_dir = tmp / "holder"
        prepare_sipp_dir(holder_dir)
        proc, finish = h.run_sipp(SCENARIOS / "uac-basic-call.xml", server.sip_addr, holder_dir,
                                  ports, extra=["-d", "6000"], popen=True)
        # wait until the held call is up (the server logs each recording it starts)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and "recording started" not in server.log_text():
            time.sleep(0.1)
        time.sleep(0.3)
        run_scenario(server, ports, tmp, "uac-overload-expect-503.xml", "u1", [], failures)
        held = finish()
        failures.check(held.rc == 0, "held call unaffected by the rejected one",
                       f"  sipp rc {held.rc}\n{held.logs()}\n{server.log_text()}")
        # the slot is free again once the first call ended
        run_scenario(server, ports, tmp, "uac-basic-call.xml", "u1", ["-d", "500"], failures,
                     check_audio=False)
    finally:
        server.stop()
    check_shutdown_503(binary, ports, tmp, failures)


def check_shutdown_503(binary: Path, ports: h.PortAllocator, tmp: Path,
                       failures: Failures) -> None:
    """An INVITE while the server drains after SIGTERM gets 503 "server shutting down" and
    is counted in kronika_sessions_rejected_total{reason="shutdown"} (a bounded label,
    present at 0 from the start). The drain is held open by an SRC that does not answer
    the server's BYE, so /metrics can still be read."""
    server = h.Kronika(work=tmp / "drain-server", ports=ports, rtp_ports=20, binary=binary)
    server.start()
    holder = SipClient("udp", h.LOOPBACK, server.sip_port)
    late = SipClient("udp", h.LOOPBACK, server.sip_port)
    try:
        rejected = "kronika_sessions_rejected_total"
        failures.check(server.metric(rejected, {"reason": "shutdown"}) == 0,
                       "rejected{reason=shutdown} is exported at 0 before any shutdown")
        d = Dialog(holder)
        body, ctype = siprec_body()
        resp = d.invite(body, ctype)
        final = resp[-1] if resp else None
        if not failures.check(final is not None and final.status == 200,
                              "drain test: the held call is answered 200", server.log_text()):
            return
        d.ack(final)
        server.proc.send_signal(signal.SIGTERM)
        bye = None
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and bye is None:
            raw = holder.receive(0.5)
            if raw and raw.startswith(b"BYE "):
                bye = raw  # not answered: the server keeps draining (sofia retransmits)
        if not failures.check(bye is not None, "SIGTERM: the server sends BYE to the held call",
                              server.log_text()):
            return
        resp = Dialog(late).invite(body, ctype)
        final = resp[-1] if resp else None
        failures.check(final is not None and final.status == 503
                       and "shutting down" in (final.header("warning") or "")
                       and final.header("retry-after") is not None,
                       "INVITE while draining -> 503 'server shutting down' with Retry-After",
                       f"  got {final.status_line if final else 'no answer'}\n{server.log_text()}")
        count = server.metric(rejected, {"reason": "shutdown"})
        failures.check(count == 1, f"rejected{{reason=shutdown}} counts it (got {count})",
                       server.log_text())
    finally:
        holder.close()
        late.close()
        server.stop()


def make_cert_dir(cert_dir: Path) -> None:
    """Self-signed certificate in sofia-sip's layout: agent.pem = key + cert, cafile.pem."""
    cert_dir.mkdir(parents=True, exist_ok=True)
    key, crt = cert_dir / "key.pem", cert_dir / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(crt)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    (cert_dir / "agent.pem").write_bytes(key.read_bytes() + crt.read_bytes())
    shutil.copy(crt, cert_dir / "cafile.pem")


def siprec_body(local_ip: str = "127.0.0.1") -> tuple[bytes, str]:
    text = (SCENARIOS / "bodies" / "lf-only-siprec-body.txt").read_text()
    body = text.replace("\r\n", "\n").replace("\n", "\r\n").encode()
    return body, "multipart/mixed;boundary=kronika-lf-boundary"


def group_tls(binary: Path, ports: h.PortAllocator, tmp: Path, failures: Failures) -> None:
    h.require_tools("openssl")
    cert_dir = tmp / "certs"
    make_cert_dir(cert_dir)
    tls_port = ports.take(1)
    server = h.Kronika(work=tmp / "server", ports=ports, rtp_ports=200, binary=binary, config=(
        "[sip]\n"
        f'tls_listen = "127.0.0.1:{tls_port}"\n'
        f'tls_cert_dir = "{cert_dir}"\n'))
    server.start()
    try:
        ctx = ssl.create_default_context(cafile=str(cert_dir / "cafile.pem"))
        # wait for the TLS listener (it may come up after UDP answers)
        client = None
        for _ in range(50):
            try:
                client = SipClient("tls", "127.0.0.1", tls_port, ssl_context=ctx)
                break
            except OSError:
                time.sleep(0.1)
        if not failures.check(client is not None, "TLS handshake with the self-signed cert",
                              server.log_text()):
            return
        failures.check(client.sock.version() in ("TLSv1.2", "TLSv1.3"),
                       f"TLS version is 1.2 or 1.3 (got {client.sock.version()})")
        d = Dialog(client)
        resp = d.options()
        failures.check(bool(resp) and resp[-1].status == 200, "OPTIONS over TLS -> 200",
                       f"  got {resp}\n{server.log_text()}")
        d = Dialog(client)
        body, ctype = siprec_body()
        resp = d.invite(body, ctype)
        final = resp[-1] if resp else None
        ok = final is not None and final.status == 200
        failures.check(ok, "SIPREC INVITE over TLS -> 200",
                       f"  got {resp}\n{final.body if final else ''}\n{server.log_text()}")
        if ok:
            failures.check("a=recvonly" in final.body and "a=label:1" in final.body,
                           "TLS 200 OK answers recvonly with labels", final.body)
            d.ack(final)
            time.sleep(0.5)
            bye = d.bye()
            failures.check(bool(bye) and bye[-1].status == 200, "BYE over TLS -> 200",
                           f"  got {bye}\n{server.log_text()}")
        client.close()
    finally:
        server.stop()


# Vendor bodies whose expected answer is not 200, with the reason (docs/interop.md).
VENDOR_EXPECT = {
    "non-siprec-payload.txt": ({488}, "plain SDP, no metadata, no Require: siprec or +sip.src: "
                                      "not a recording session"),
    "broadworks-offer.txt": ({200, 400, 488},
                             "damaged as published: XML tags stripped, part type "
                             "'application/ +xml', c=IN IP4 X.X.X.X; any clean answer"),
}


def group_vendor_bodies(binary: Path, ports: h.PortAllocator, tmp: Path,
                        failures: Failures) -> None:
    root = SHARED / "interop-corpus" / "vendor-bodies"
    if not root.is_dir():
        h.skip(f"interop corpus absent ({root}); vendor-body test not run")
    server = h.Kronika(work=tmp / "server", ports=ports, rtp_ports=100, binary=binary)
    server.start()
    try:
        for path in sorted(root.glob("*/*.txt")):
            raw = path.read_text(errors="replace")
            expected, why = VENDOR_EXPECT.get(path.name, ({200}, "SIPREC offer"))
            for ending in ("CRLF", "LF"):
                text = raw.replace("\r\n", "\n")
                if ending == "CRLF":
                    text = text.replace("\n", "\r\n")
                boundary = find_boundary(text)
                if boundary and boundary.endswith("--"):
                    boundary = None
                if boundary:
                    ctype = f'multipart/mixed;boundary="{boundary}"'
                    headers = ["Require: siprec", "Supported: siprec"]
                else:
                    ctype = "application/sdp"
                    headers = ["Supported: timer"]
                client = SipClient("tcp", "127.0.0.1", server.sip_port)
                d = Dialog(client)
                if not boundary:
                    d.contact_params = ""  # a plain UA: no SIPREC marker at all
                resp = d.invite(text.encode(), ctype, headers)
                final = resp[-1] if resp else None
                name = f"{path.parent.name}/{path.name} [{ending}] -> {sorted(expected)}"
                got = final.status if final else None
                detail = f"  got {got}: {final.status_line if final else 'no answer'}"
                if final is not None and final.status >= 300:
                    detail += f"\n  Warning: {final.header('warning')}"
                ok = got in expected
                if ok and got is not None and got >= 300:
                    ok = final.header("warning") is not None
                    detail += " (a rejection must carry a Warning header)"
                failures.check(ok and server.alive(), f"{name}: got {got}", detail + "\n" +
                               (server.log_text(3000) if not ok else ""))
                if final is not None:
                    d.ack(final)
                    if final.status == 200:
                        bye = d.bye()
                        failures.check(bool(bye) and bye[-1].status == 200,
                                       f"{path.name} [{ending}] BYE -> 200", f"  got {bye}")
                client.close()
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--group", required=True,
                        choices=sorted(SIPP_GROUPS) + ["overload", "tls", "vendor-bodies"])
    parser.add_argument("--port-base", type=int, default=20000)
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args()

    binary = h.kronika_binary()
    if args.group in SIPP_GROUPS or args.group == "overload":
        h.require_tools("sipp", "sox")
    ports = h.PortAllocator(args.port_base, span=800)
    tmp = h.make_tempdir(f"kronika-sip-{args.group}-")
    failures = Failures()
    try:
        if args.group in SIPP_GROUPS:
            group_sipp(args.group, binary, ports, tmp, failures)
        elif args.group == "overload":
            group_overload(binary, ports, tmp, failures)
        elif args.group == "tls":
            group_tls(binary, ports, tmp, failures)
        else:
            group_vendor_bodies(binary, ports, tmp, failures)
    except Exception:  # a harness error is a failure, with its trace
        failures.check(False, "harness", traceback.format_exc())
    print(f"\n{len(failures.passed)} passed, {len(failures.items)} failed")
    for name in failures.items:
        print(f"  failed: {name}")
    if failures.items or args.keep:
        print(f"logs kept in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures.items else 0


if __name__ == "__main__":
    sys.exit(main())
