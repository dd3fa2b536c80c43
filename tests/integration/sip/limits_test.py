#!/usr/bin/env python3
"""Bounded resources at the SIP edge (issue 12 item 2; docs/operations.md "Limits").

Against the real daemon, what an SRC (or an attacker on its network) sees:
  - an INVITE with 101 audio m-lines: 488 + Warning naming sip.max_streams, counted, and
    not one RTP socket opened (it took 101 ports before);
  - a request over sip.max_message_bytes: 513 + Warning, counted; a body over twice the
    limit: sofia-sip's own 413;
  - a source outside sip.allowed_sources: 403 + Warning for INVITE and OPTIONS, counted,
    logged, no session; the start-up warning when SIP is open to every address;
  - a second concurrent call from a source at sip.max_sessions_per_source: 503 + Retry-After;
  - TLS with sip.tls_verify_client: no client certificate or one from another CA fails the
    handshake, one the CA signed works; tls_client_subjects refuses other subjects.
Exit 0 pass, 1 fail, 77 skipped.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
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
from run_sip_tests import Failures, siprec_body  # noqa: E402
from sip_client import Dialog, SipClient  # noqa: E402


def multipart(sdp: str) -> tuple[bytes, str]:
    body = ("--b1\r\nContent-Type: application/sdp\r\n\r\n" + sdp +
            "--b1\r\nContent-Type: application/rs-metadata+xml\r\n\r\n"
            "<recording xmlns='urn:ietf:params:xml:ns:recording:1'><datamode>complete</datamode>"
            "</recording>\r\n--b1--\r\n")
    return body.encode(), "multipart/mixed;boundary=b1"


def sdp_with(audio_mlines: int) -> str:
    sdp = "v=0\r\no=SRC 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    for i in range(audio_mlines):
        sdp += f"m=audio {40000 + 2 * i} RTP/AVP 0\r\na=label:{i + 1}\r\na=sendonly\r\n"
    return sdp


def udp_sockets(pid: int) -> int:
    """UDP sockets the process holds (one per RTP stream, plus the SIP listener)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        with open(table) as f:
            next(f)
            count += sum(1 for line in f if line.split()[9] in inodes)
    return count


def final(responses):
    return responses[-1] if responses else None


def warning_of(response) -> str:
    return (response.header("warning") or "") if response else ""


def check_streams_and_size(binary: Path, ports: h.PortAllocator, tmp: Path, failures: Failures) -> None:
    server = h.Kronika(work=tmp / "limits", ports=ports, binary=binary, config=(
        "[sip]\nmax_streams = 8\nmax_message_bytes = 16384\n"))
    server.start()
    try:
        sockets_before = udp_sockets(server.proc.pid)
        client = SipClient("udp", h.LOOPBACK, server.sip_port)
        body, ctype = multipart(sdp_with(101))
        answer = final(Dialog(client).invite(body, ctype))
        failures.check(answer is not None and answer.status == 488 and
                       "101 audio streams offered, more than the 8 a session may record (sip.max_streams)"
                       in warning_of(answer),
                       f"101 m-lines: 488 with the sip.max_streams Warning (got {answer.status_line if answer else None}, "
                       f"{warning_of(answer)})")
        failures.check(udp_sockets(server.proc.pid) == sockets_before,
                       f"no RTP socket opened for it ({sockets_before} UDP sockets before, "
                       f"{udp_sockets(server.proc.pid)} after)")
        failures.check(server.metric("kronika_sessions_rejected_total", {"reason": "too_many_streams"}) == 1,
                       "counted as kronika_sessions_rejected_total{reason=\"too_many_streams\"}")
        body, ctype = multipart(sdp_with(8))
        d = Dialog(client)
        answer = final(d.invite(body, ctype))
        failures.check(answer is not None and answer.status == 200, "8 m-lines: recorded (200)")
        if answer is not None and answer.status == 200:
            d.ack(answer)
            d.bye()
        client.close()

        # Over sip.max_message_bytes (16 KiB), under twice it: our 513 with a Warning. TCP:
        # a UDP datagram of this size would be fragmented but works too.
        tcp = SipClient("tcp", h.LOOPBACK, server.sip_port)
        padding = "a=x-padding:" + "p" * 20000 + "\r\n"
        body, ctype = multipart(sdp_with(2) + padding)
        answer = final(Dialog(tcp).invite(body, ctype))
        failures.check(answer is not None and answer.status == 513 and
                       "over the 16384-byte limit (sip.max_message_bytes)" in warning_of(answer),
                       f"20 KB INVITE: 513 Message Too Large with a Warning (got "
                       f"{answer.status_line if answer else None}, {warning_of(answer)})")
        failures.check(server.metric("kronika_sip_requests_refused_total", {"reason": "too_large"}) == 1,
                       "counted as kronika_sip_requests_refused_total{reason=\"too_large\"}")
        tcp.close()
        # Beyond what the stack holds (twice the limit): sofia-sip answers 413 itself.
        tcp = SipClient("tcp", h.LOOPBACK, server.sip_port)
        body, ctype = multipart(sdp_with(2) + "a=x-padding:" + "p" * 40000 + "\r\n")
        answer = final(Dialog(tcp).invite(body, ctype))
        failures.check(answer is not None and answer.status == 413,
                       f"40 KB INVITE: 413 from the stack (got {answer.status_line if answer else None})")
        tcp.close()
        failures.check(server.alive() and h.sip_options_ping(server.sip_port, 2) is not None,
                       "daemon alive and answering", server.log_text())
    finally:
        server.stop()


def check_allowed_sources(binary: Path, ports: h.PortAllocator, tmp: Path, failures: Failures) -> None:
    server = h.Kronika(work=tmp / "closed", ports=ports, binary=binary,
                       config='[sip]\nallowed_sources = ["10.0.0.0/8"]\n')
    server.start()
    try:
        for transport in ("udp", "tcp"):
            client = SipClient(transport, h.LOOPBACK, server.sip_port)
            body, ctype = siprec_body()
            answer = final(Dialog(client).invite(body, ctype))
            failures.check(answer is not None and answer.status == 403 and
                           "source 127.0.0.1 is not in sip.allowed_sources" in warning_of(answer),
                           f"INVITE over {transport.upper()} from outside sip.allowed_sources: 403 with Warning "
                           f"(got {answer.status_line if answer else None}, {warning_of(answer)})")
            answer = final(Dialog(client).options())
            failures.check(answer is not None and answer.status == 403,
                           f"OPTIONS over {transport.upper()} from outside: 403 (got "
                           f"{answer.status_line if answer else None})")
            client.close()
        failures.check(server.metric("kronika_sip_requests_refused_total", {"reason": "source_not_allowed"}) == 4,
                       "each refusal counted in kronika_sip_requests_refused_total{reason=\"source_not_allowed\"}")
        failures.check(server.metric("kronika_sessions_active") == 0 and
                       not list(Path(server.data_dir, "recordings").rglob("*.opus*")),
                       "no session and no file for a refused source")
        failures.check("is not in sip.allowed_sources" in server.log_text(), "refusals are logged")
        failures.check("lets every address send SIP" not in server.log_text(),
                       "no open-port warning for a restricted list")
    finally:
        server.stop()
    server = h.Kronika(work=tmp / "open", ports=ports, binary=binary,
                       config='[sip]\nallowed_sources = ["0.0.0.0/0", "::/0"]\n')
    server.start()
    try:
        failures.check("lets every address send SIP (0.0.0.0/0 and ::/0)" in server.log_text(),
                       "a start-up warning when SIP is open to every address", server.log_text())
        failures.check(h.sip_options_ping(server.sip_port, 2) == "SIP/2.0 200 OK", "an open server answers")
    finally:
        server.stop()


def check_sessions_per_source(binary: Path, ports: h.PortAllocator, tmp: Path, failures: Failures) -> None:
    server = h.Kronika(work=tmp / "per-source", ports=ports, binary=binary,
                       config="[sip]\nmax_sessions_per_source = 1\nretry_after = 7\n")
    server.start()
    try:
        client = SipClient("udp", h.LOOPBACK, server.sip_port)
        first = Dialog(client)
        body, ctype = siprec_body()
        answer = final(first.invite(body, ctype))
        failures.check(answer is not None and answer.status == 200, "first call from 127.0.0.1: 200")
        if answer is None or answer.status != 200:
            return
        first.ack(answer)
        second_dialog = Dialog(client)
        second = final(second_dialog.invite(body, ctype))
        if second is not None and second.status >= 300:
            second_dialog.ack(second)  # or the 503 is resent until Timer H, into the next INVITE
        failures.check(second is not None and second.status == 503 and second.header("retry-after") == "7" and
                       "1 sessions active from 127.0.0.1 (sip.max_sessions_per_source)" in warning_of(second),
                       f"second concurrent call from the same source: 503 + Retry-After + Warning (got "
                       f"{second.status_line if second else None}, {warning_of(second)})")
        failures.check(server.metric("kronika_sessions_rejected_total", {"reason": "source_limit"}) == 1,
                       "counted as reason=\"source_limit\"")
        first.bye()
        time.sleep(0.5)
        third = Dialog(client)
        answer = final(third.invite(body, ctype))
        failures.check(answer is not None and answer.status == 200, "after the first call ends: 200 again")
        if answer is not None and answer.status == 200:
            third.ack(answer)
            third.bye()
        client.close()
    finally:
        server.stop()


def make_ca(directory: Path, name: str) -> tuple[Path, Path]:
    key, crt = directory / f"{name}-ca.key", directory / f"{name}-ca.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", f"/CN={name} test CA", "-keyout", str(key), "-out", str(crt)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return key, crt


def issue(directory: Path, ca: tuple[Path, Path], name: str, cn: str, san: str) -> tuple[Path, Path]:
    key, csr, crt = directory / f"{name}.key", directory / f"{name}.csr", directory / f"{name}.pem"
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={cn}",
                    "-keyout", str(key), "-out", str(csr)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ext = directory / f"{name}.ext"
    ext.write_text(f"subjectAltName={san}\n")
    subprocess.run(["openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca[1]), "-CAkey", str(ca[0]),
                    "-CAcreateserial", "-days", "2", "-extfile", str(ext), "-out", str(crt)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return key, crt


def tls_options(port: int, server_ca: Path, client_cert: tuple[Path, Path] | None) -> str:
    """The status line of an OPTIONS over TLS, or the handshake/read error."""
    ctx = ssl.create_default_context(cafile=str(server_ca))
    if client_cert is not None:
        ctx.load_cert_chain(certfile=str(client_cert[1]), keyfile=str(client_cert[0]))
    try:
        client = SipClient("tls", h.LOOPBACK, port, ssl_context=ctx, timeout_s=3)
    except (OSError, ssl.SSLError) as e:
        return f"handshake failed: {type(e).__name__}"
    try:
        answer = final(Dialog(client).options())
        return answer.status_line if answer else "no answer (connection closed)"
    except (OSError, ssl.SSLError) as e:
        return f"failed: {type(e).__name__}"
    finally:
        client.close()


def check_tls_client_certificates(binary: Path, ports: h.PortAllocator, tmp: Path, failures: Failures) -> None:
    h.require_tools("openssl")
    certs = tmp / "certs"
    certs.mkdir(parents=True, exist_ok=True)
    ca = make_ca(certs, "kronika")
    other_ca = make_ca(certs, "other")
    server_key, server_crt = issue(certs, ca, "server", "127.0.0.1", "IP:127.0.0.1")
    sbc1 = issue(certs, ca, "sbc1", "sbc1.example.com", "DNS:sbc1.example.com")
    sbc2 = issue(certs, ca, "sbc2", "sbc2.example.com", "DNS:sbc2.example.com")
    stranger = issue(certs, other_ca, "stranger", "sbc1.example.com", "DNS:sbc1.example.com")
    cert_dir = tmp / "tls-dir"
    cert_dir.mkdir(exist_ok=True)
    (cert_dir / "agent.pem").write_bytes(server_key.read_bytes() + server_crt.read_bytes())
    shutil.copy(ca[1], cert_dir / "cafile.pem")

    for subjects in ([], ["sbc1.example.com"]):
        tls_port = ports.take(1)
        server = h.Kronika(work=tmp / f"tls-{len(subjects)}", ports=ports, binary=binary, config=(
            f'[sip]\ntls_listen = "127.0.0.1:{tls_port}"\ntls_cert_dir = "{cert_dir}"\n'
            f"tls_verify_client = true\ntls_client_subjects = {subjects!r}\n".replace("'", '"')))
        server.start()
        try:
            h.wait_for("TLS listener", lambda: not h.port_is_free(tls_port, kinds=(socket.SOCK_STREAM,)), 10)
            what = f"tls_client_subjects = {subjects}"
            got = tls_options(tls_port, ca[1], sbc1)
            failures.check(got == "SIP/2.0 200 OK", f"{what}: a client certificate the CA signed works ({got})",
                           server.log_text())
            got = tls_options(tls_port, ca[1], None)
            failures.check(not got.startswith("SIP/2.0 200"), f"{what}: no client certificate is refused ({got})")
            got = tls_options(tls_port, ca[1], stranger)
            failures.check(not got.startswith("SIP/2.0 200"), f"{what}: a certificate of another CA is refused ({got})")
            got = tls_options(tls_port, ca[1], sbc2)
            if subjects:
                failures.check(not got.startswith("SIP/2.0 200"),
                               f"{what}: a subject not in the list is refused ({got})")
            else:
                failures.check(got == "SIP/2.0 200 OK", f"{what}: any subject the CA signed works ({got})")
            failures.check(server.alive(), f"{what}: daemon alive", server.log_text())
        finally:
            server.stop()
            ports.release(tls_port)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-base", type=int, default=8000)
    args = parser.parse_args()
    binary = h.kronika_binary()
    h.require_tools("openssl")
    ports = h.PortAllocator(args.port_base, span=400)
    tmp = h.make_tempdir("kronika-limits-")
    failures = Failures()
    try:
        check_streams_and_size(binary, ports, tmp, failures)
        check_allowed_sources(binary, ports, tmp, failures)
        check_sessions_per_source(binary, ports, tmp, failures)
        check_tls_client_certificates(binary, ports, tmp, failures)
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
