"""Helpers for the events tests (issue 17): rows of the outbox written as the daemon's own
AppendIn writes them (EventCodec version 1, srs/store event_outbox.cc) with mdb_load into the
running daemon's environment - emission of events by state changes is a separate item; the
outbox is one LMDB table, and LMDB serialises writers across processes - and a real HTTPS
receiver with scripted failures that checks each request with interop/webhook_receiver.py's
verify()."""
from __future__ import annotations

import http.server
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "interop"))
from webhook_receiver import verify  # noqa: E402


def _varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _str(s: str) -> bytes:
    b = s.encode()
    return _varint(len(b)) + b


def event_row(event_type: str, time_ms: int, node: str, recording_id: str, data: dict, personal: dict) -> bytes:
    zigzag = (time_ms << 1) ^ (time_ms >> 63)
    return (_varint(1) + _str(event_type) + _varint(zigzag & ((1 << 64) - 1)) + _str(node) + _str(recording_id)
            + _str(json.dumps(data)) + _str(json.dumps(personal)))


def last_seq(env: str) -> int:
    """The greatest sequence in the events table (0 when empty), read with mdb_dump."""
    out = subprocess.run(["mdb_dump", "-s", "events", env], capture_output=True, text=True)
    if out.returncode != 0:
        return 0
    lines = out.stdout.split("HEADER=END\n", 1)[-1].split("DATA=END", 1)[0].split()
    keys = lines[0::2]
    return int(keys[-1], 16) if keys else 0


def append_events(env: str, events: list[dict], node: str = "kr1") -> list[str]:
    """Appends `events` ({"type", "recording_id", "data", "personal", "time_ms"}) after the
    last one; returns their ids."""
    seq = last_seq(env)
    text = ""
    ids = []
    for e in events:
        seq += 1
        row = event_row(e["type"], e.get("time_ms", int(time.time() * 1000)), node, e.get("recording_id", ""),
                        e.get("data", {}), e.get("personal", {}))
        text += "".join(f"\\{b:02x}" for b in seq.to_bytes(8, "big")) + "\n"
        text += "".join(f"\\{b:02x}" for b in row) + "\n"
        ids.append(f"{node}-{seq}")
    subprocess.run(["mdb_load", "-T", "-s", "events", env], input=text.encode(), check=True)
    return ids


def make_cert(work: str) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 (the webhook's ca_file)."""
    cert, key = os.path.join(work, "receiver.pem"), os.path.join(work, "receiver.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    return cert, key


class Receiver:
    """HTTPS on 127.0.0.1; per path: `fail_next[path]` answers that many 500s, `fail_always`
    holds the paths that answer 500 until removed. `requests` records every POST: path,
    headers (lower-case), body, the status answered and the signature check's verdict."""

    def __init__(self, cert: str, key: str, secrets: dict[str, bytes]):
        self.secrets = secrets
        self.fail_next: dict[str, int] = {}
        self.fail_always: set[str] = set()
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                path = self.path
                why = verify(receiver.secrets.get(path, b""), headers.get("kronika-timestamp"),
                             headers.get("kronika-signature"), body)
                with receiver.lock:
                    status = 204
                    if path in receiver.fail_always:
                        status = 500
                    elif receiver.fail_next.get(path, 0) > 0:
                        receiver.fail_next[path] -= 1
                        status = 500
                    elif why is not None:
                        status = 401
                    receiver.requests.append({"path": path, "headers": headers, "body": body, "status": status,
                                              "verified": why is None, "why": why, "at": time.time()})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True, do_handshake_on_connect=False)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"https://127.0.0.1:{self.port}{path}"

    def delivered(self, path: str) -> list[dict]:
        """The events answered 2xx on `path`, parsed, in arrival order."""
        with self.lock:
            return [json.loads(r["body"]) for r in self.requests if r["path"] == path and r["status"] < 300]

    def attempts(self, path: str, event_id: str) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["path"] == path and r["headers"].get("kronika-event-id") == event_id]

    def all(self, path: str) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["path"] == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class SilentServer:
    """Accepts TCP connections and never answers (a hung receiver)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self):
        self.sock.close()
        for c in self.held:
            c.close()
