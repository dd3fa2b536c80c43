#!/usr/bin/env python3
"""SEC-1: with KRONIKA_HTTP_TLS_CERT set the HTTP API is served over TLS only; a token
works over HTTPS, plain HTTP on the same port gets no answer, and a refused call is still 401."""
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import BIN, Kronika  # noqa: E402


class TlsKronika(Kronika):
    def __init__(self, cafile, **kw):
        super().__init__(**kw)
        self.ctx = ssl.create_default_context(cafile=cafile)

    def metrics(self):
        with urllib.request.urlopen(f"https://127.0.0.1:{self.http_port}/metrics", timeout=5,
                                    context=self.ctx) as r:
            return r.read().decode()


def main():
    if not shutil.which("openssl"):
        print("SKIP: openssl not installed")
        return 77
    certs = tempfile.mkdtemp(prefix="kronika-tls-")
    key, crt, pem = (os.path.join(certs, n) for n in ("key.pem", "cert.pem", "server.pem"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", crt], check=True, capture_output=True)
    with open(pem, "w") as out:
        out.write(open(crt).read() + open(key).read())
    os.environ["KRONIKA_HTTP_TLS_CERT"] = pem
    os.environ.pop("KRONIKA_MASTER_KEY_FILE", None)
    node = TlsKronika(crt)
    failures = []

    def check(cond, what):
        print(("ok   " if cond else "FAIL ") + what)
        if not cond:
            failures.append(what)

    os.makedirs(node.data_dir, exist_ok=True)
    r = subprocess.run([BIN, "user", "add", "olga", "--role", "auditor", "--name", "Olga", "--surname", "A",
                        "--position", "Auditor", "--data-dir", node.data_dir], capture_output=True, text=True)
    check(r.returncode == 0, "user add")
    token = subprocess.run([BIN, "user", "token", "olga", "--data-dir", node.data_dir],
                           capture_output=True, text=True).stdout.strip()
    try:
        try:
            node.start()
        except AssertionError as e:
            if "TLS unavailable" in str(e):
                print("SKIP: this civetweb/OpenSSL pair cannot serve TLS; the daemon refused it at start "
                      "with a clear message instead of crashing:\n" + str(e)[-400:])
                return 77
            raise
        base = f"https://127.0.0.1:{node.http_port}"
        req = urllib.request.Request(base + "/api/v1/me", headers={"Authorization": "Bearer " + token})
        with urllib.request.urlopen(req, timeout=5, context=node.ctx) as resp:
            me = json.loads(resp.read())
        check(me["username"] == "olga", "SEC-1 token accepted over HTTPS")
        try:
            urllib.request.urlopen(urllib.request.Request(base + "/api/v1/me"), timeout=5, context=node.ctx)
            check(False, "SEC-1 no token over HTTPS -> 401")
        except urllib.error.HTTPError as e:
            check(e.code == 401, f"SEC-1 no token over HTTPS -> 401 (got {e.code})")
        plain_ok = False
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{node.http_port}/metrics", timeout=3)
            plain_ok = True
        except Exception:  # noqa: BLE001 - any failure means plain HTTP is not served
            pass
        check(not plain_ok, "SEC-1 plain HTTP is not answered on the TLS port")
    finally:
        node.stop()
        shutil.rmtree(certs, ignore_errors=True)
    if failures:
        print(node.log_tail(2000))
        return 1
    print("TLS checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
