"""A minimal SIP UAC for tests SIPp cannot do (TLS: Debian's SIPp has no TLS; bodies taken
verbatim from files). Stdlib only. Not a SIP stack: one dialog at a time, no retransmission
over UDP beyond a simple resend, enough to drive INVITE/ACK/BYE and OPTIONS.
"""
from __future__ import annotations

import re
import socket
import ssl
import time
import uuid


class Response:
    def __init__(self, raw: bytes):
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode(errors="replace").split("\r\n")
        self.status_line = lines[0]
        m = re.match(r"SIP/2\.0 (\d{3})", self.status_line)
        self.status = int(m.group(1)) if m else 0
        self.headers: list[tuple[str, str]] = []
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                self.headers.append((name.strip().lower(), value.strip()))
        self.body = body.decode(errors="replace")

    COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "m": "contact",
               "c": "content-type", "l": "content-length", "k": "supported"}

    def header(self, name: str) -> str | None:
        name = name.lower()
        for n, v in self.headers:
            if n == name or self.COMPACT.get(n) == name:
                return v
        return None

    def all(self, name: str) -> list[str]:
        name = name.lower()
        return [v for n, v in self.headers if n == name or self.COMPACT.get(n) == name]

    def cseq_method(self) -> str:
        cseq = self.header("cseq") or ""
        return cseq.split()[-1].upper() if cseq else ""

    def __repr__(self) -> str:
        return f"<{self.status_line} ({self.cseq_method()})>"


class SipClient:
    """transport: 'udp', 'tcp' or 'tls' (tls needs `ssl_context`)."""

    def __init__(self, transport: str, host: str, port: int,
                 ssl_context: ssl.SSLContext | None = None, timeout_s: float = 5.0):
        self.transport = transport
        self.host, self.port = host, port
        self.timeout_s = timeout_s
        # An IPv6 literal host ("::1") is written in brackets in SIP headers and URIs.
        self.host_text = f"[{host}]" if ":" in host else host
        if transport == "udp":
            self.sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind((host, 0))
        else:
            raw = socket.create_connection((host, port), timeout=timeout_s)
            if transport == "tls":
                assert ssl_context is not None
                raw = ssl_context.wrap_socket(raw, server_hostname=host)
            self.sock = raw
        self.sock.settimeout(timeout_s)
        self.local_port = self.sock.getsockname()[1]
        self._buffer = b""
        self.sent: list[bytes] = []

    def close(self) -> None:
        self.sock.close()

    @property
    def via_transport(self) -> str:
        return self.transport.upper()

    def new_branch(self) -> str:
        return "z9hG4bK" + uuid.uuid4().hex[:20]

    def send(self, data: bytes) -> None:
        self.sent.append(data)
        if self.transport == "udp":
            self.sock.sendto(data, (self.host, self.port))
        else:
            self.sock.sendall(data)

    def _read_stream_message(self, deadline: float) -> bytes | None:
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end >= 0:
                head = self._buffer[:end].decode(errors="replace")
                m = re.search(r"^(?:content-length|l)\s*:\s*(\d+)", head, re.I | re.M)
                length = int(m.group(1)) if m else 0
                total = end + 4 + length
                if len(self._buffer) >= total:
                    msg, self._buffer = self._buffer[:total], self._buffer[total:]
                    if not msg.strip():
                        continue
                    return msg
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65535)
            except (socket.timeout, ssl.SSLError):
                return None
            if not chunk:
                return None
            self._buffer += chunk

    def receive(self, timeout_s: float | None = None) -> bytes | None:
        deadline = time.monotonic() + (timeout_s if timeout_s is not None else self.timeout_s)
        if self.transport == "udp":
            remaining = deadline - time.monotonic()
            self.sock.settimeout(max(remaining, 0.01))
            try:
                data, _ = self.sock.recvfrom(65535)
                return data
            except socket.timeout:
                return None
        return self._read_stream_message(deadline)

    def transaction(self, data: bytes, method: str, timeout_s: float | None = None,
                    on_request=None) -> list[Response]:
        """Sends a request, returns every response up to and including the final one.
        Requests from the server (e.g. a BYE) are handed to `on_request(raw)`."""
        self.send(data)
        responses: list[Response] = []
        deadline = time.monotonic() + (timeout_s or self.timeout_s)
        next_resend = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            wait = min(deadline, next_resend) - time.monotonic() if self.transport == "udp" \
                else deadline - time.monotonic()
            raw = self.receive(max(wait, 0.01))
            if raw is None:
                if self.transport == "udp" and not any(r.status >= 100 for r in responses) \
                        and time.monotonic() >= next_resend:
                    self.sock.sendto(data, (self.host, self.port))
                    next_resend = time.monotonic() + 1.0
                continue
            if not raw.startswith(b"SIP/2.0"):
                if on_request:
                    on_request(raw)
                continue
            resp = Response(raw)
            if resp.cseq_method() != method:
                continue
            responses.append(resp)
            if resp.status >= 200:
                return responses
        return responses


class Dialog:
    """One UAC dialog: INVITE (any body), ACK, BYE, OPTIONS helpers."""

    def __init__(self, client: SipClient, user: str = "srs"):
        self.c = client
        self.call_id = uuid.uuid4().hex + "@kronika-test"
        self.from_tag = uuid.uuid4().hex[:10]
        self.to_tag = ""
        self.cseq = 0
        self.uri = f"sip:{user}@{client.host_text}:{client.port}"
        if client.transport == "tls":
            self.uri = f"sips:{user}@{client.host_text}:{client.port}"
        self.invite_branch = ""
        # Contact parameters: +sip.src marks an SRC (RFC 7866); "" for a plain UA.
        self.contact_params = ";+sip.src"

    def _request(self, method: str, headers: list[str], body: bytes = b"",
                 content_type: str | None = None, branch: str | None = None,
                 cseq: int | None = None) -> bytes:
        if cseq is None:
            self.cseq += 1
            cseq = self.cseq
        c = self.c
        branch = branch or c.new_branch()
        to = f"<{self.uri}>" + (f";tag={self.to_tag}" if self.to_tag else "")
        scheme = "sips" if c.transport == "tls" else "sip"
        lines = [f"{method} {self.uri} SIP/2.0",
                 f"Via: SIP/2.0/{c.via_transport} {c.host_text}:{c.local_port};branch={branch};rport",
                 f"From: <sip:src@{c.host_text}>;tag={self.from_tag}",
                 f"To: {to}",
                 f"Call-ID: {self.call_id}",
                 f"CSeq: {cseq} {method}",
                 f"Contact: <{scheme}:src@{c.host_text}:{c.local_port};transport={c.transport}>{self.contact_params}",
                 "Max-Forwards: 70"] + headers
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    def invite(self, body: bytes, content_type: str, headers: list[str] | None = None,
               timeout_s: float = 10.0) -> list[Response]:
        self.invite_branch = self.c.new_branch()
        data = self._request("INVITE", (headers if headers is not None else
                                        ["Require: siprec", "Supported: siprec"]),
                             body, content_type, branch=self.invite_branch)
        self.invite_cseq = self.cseq
        responses = self.c.transaction(data, "INVITE", timeout_s)
        if responses:
            self.to_tag = to_tag_of(responses[-1]) or self.to_tag
        return responses

    def ack(self, final: Response) -> None:
        """ACK for the INVITE's final response (same branch for non-2xx, new for 2xx)."""
        branch = self.c.new_branch() if final.status < 300 else self.invite_branch
        self.c.send(self._request("ACK", [], branch=branch, cseq=self.invite_cseq))

    def bye(self) -> list[Response]:
        return self.c.transaction(self._request("BYE", []), "BYE")

    def options(self) -> list[Response]:
        return self.c.transaction(self._request("OPTIONS", ["Accept: application/sdp"]),
                                  "OPTIONS")


def to_tag_of(response: Response) -> str:
    m = re.search(r";\s*tag=([^;>\s]+)", response.header("to") or "")
    return m.group(1) if m else ""


def find_boundary(body: str) -> str | None:
    """The boundary a vendor body uses: its first `--X` delimiter line."""
    for line in body.splitlines():
        line = line.rstrip()
        if line.startswith("--") and len(line) > 2:
            return line[2:]
    return None
