#!/usr/bin/env python3
"""A sample receiver for Kronika's webhooks (docs/api.md, "Webhooks"). Python stdlib only.

Listens on HTTPS, checks each POST's signature and timestamp, prints the event and answers
204; a bad signature or a stale timestamp gets 401 (Kronika retries, then parks the event).
Events are delivered at least once: a receiver keys on Kronika-Event-Id and ignores an id it
has already processed (this sample keeps the ids of this run in memory).

    openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=localhost \\
        -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout key.pem -out cert.pem
    WEBHOOK_SECRET=... ./webhook_receiver.py --cert cert.pem --key key.pem --port 8443

and in kronika.toml:

    [[webhooks]]
    name = "sample"
    url = "https://127.0.0.1:8443/kronika"
    secret_file = "/etc/kronika/webhook-sample.secret"   # mode 0600, the same secret
    ca_file = "/path/to/cert.pem"                        # self-signed: trust it explicitly
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import http.server
import json
import os
import ssl
import sys
import time

MAX_SKEW_S = 300  # refuse a timestamp more than 5 minutes off (replays)
MAX_BODY_BYTES = 1 << 20


def verify(secret: bytes, timestamp: str | None, signature: str | None, body: bytes,
           now: float | None = None, max_skew_s: int = MAX_SKEW_S) -> str | None:
    """None when `signature` (the Kronika-Signature header) is the HMAC-SHA256 of
    "<timestamp>.<body>" under `secret` and the timestamp is within the window; else why not."""
    if not timestamp or not timestamp.isdigit():
        return "missing or malformed Kronika-Timestamp"
    if abs((time.time() if now is None else now) - int(timestamp)) > max_skew_s:
        return "Kronika-Timestamp outside the window"
    expected = "v1=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    # The header may carry several comma-separated signatures (a secret being rotated).
    offered = [s.strip() for s in (signature or "").split(",")]
    if not any(hmac.compare_digest(expected, s) for s in offered):
        return "signature does not match"
    return None


class Handler(http.server.BaseHTTPRequestHandler):
    secret = b""
    seen: set[str] = set()

    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self.send_response(413)
            self.end_headers()
            return
        body = self.rfile.read(length)
        why = verify(self.secret, self.headers.get("Kronika-Timestamp"), self.headers.get("Kronika-Signature"), body)
        if why is not None:
            print(f"refused: {why}", file=sys.stderr, flush=True)
            self.send_response(401)
            self.end_headers()
            return
        event_id = self.headers.get("Kronika-Event-Id", "")
        if event_id in self.seen:
            print(f"duplicate {event_id} (already processed)", flush=True)
        else:
            self.seen.add(event_id)
            event = json.loads(body)
            print(json.dumps(event, ensure_ascii=False), flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):  # the events are the output
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cert", required=True, help="PEM certificate (chain)")
    parser.add_argument("--key", required=True, help="PEM private key")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument("--secret-file", help="file with the secret (else $WEBHOOK_SECRET)")
    args = parser.parse_args()
    if args.secret_file:
        with open(args.secret_file, "rb") as f:
            Handler.secret = f.read().rstrip(b"\r\n")
    else:
        Handler.secret = os.environ.get("WEBHOOK_SECRET", "").encode()
    if not Handler.secret:
        parser.error("no secret: --secret-file or $WEBHOOK_SECRET")
    server = http.server.ThreadingHTTPServer((args.host, args.port), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.cert, args.key)
    # The handshake runs in the request thread, so one silent client cannot stall accept().
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    print(f"listening on https://{args.host}:{args.port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
