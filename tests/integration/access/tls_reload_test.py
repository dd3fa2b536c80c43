#!/usr/bin/env python3
"""SIGHUP reloads the HTTPS certificate and key (issue 15 item 5, SEC-1).

Through the real daemon, the files named by [http] tls_cert / tls_key:
  1. started with certificate A: a new connection is served A (fingerprint of the DER);
  2. the files overwritten with B (same names), SIGHUP: kronika_config_reloads_total{applied}
     goes up, the log names B's subject; new connections get B, a connection opened before
     the reload still answers /healthz on it, and /healthz keeps answering throughout;
  3. SIGHUP with the files unchanged: still B, nothing logged as reloaded again;
  4. the key replaced by one of another certificate (C's key with B's certificate), SIGHUP:
     kronika_config_reloads_total{failed} goes up, the log says why, new connections still
     get B; a certificate file that is not PEM is refused the same way.
"""
import hashlib
import http.client
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import Kronika, metric_value, wait_for  # noqa: E402


def insecure_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    return ctx


class HttpsKronika(Kronika):
    def metrics(self):
        with urllib.request.urlopen(f"https://127.0.0.1:{self.http_port}/metrics", timeout=5,
                                    context=insecure_context()) as r:
            return r.read().decode()


def make_cert(d, name):
    """Self-signed certificate for 127.0.0.1 with CN `name`; returns (cert, key, sha256 of DER)."""
    cert, key = os.path.join(d, name + ".crt"), os.path.join(d, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", f"/CN={name}", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], check=True,
                         capture_output=True).stdout
    return cert, key, hashlib.sha256(der).hexdigest()


def served_fingerprint(port):
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=insecure_context())
    conn.connect()
    try:
        return hashlib.sha256(conn.sock.getpeercert(binary_form=True)).hexdigest()
    finally:
        conn.close()


def healthz(conn):
    conn.request("GET", "/healthz")
    r = conn.getresponse()
    r.read()
    return r.status


def install(src, dst):
    """Overwrites `dst` in place (same name, as a certificate renewal tool does)."""
    shutil.copyfile(src, dst)


def main():
    if not shutil.which("openssl"):
        print("SKIP: openssl not installed")
        return 77
    failures = []

    def check(cond, what):
        print(("ok   " if cond else "FAIL ") + what)
        if not cond:
            failures.append(what)

    work = tempfile.mkdtemp(prefix="kronika-tls-reload-")
    a_crt, a_key, a_fp = make_cert(work, "cert-a")
    b_crt, b_key, b_fp = make_cert(work, "cert-b")
    _, c_key, _ = make_cert(work, "cert-c")
    served_crt, served_key = os.path.join(work, "server.crt"), os.path.join(work, "server.key")
    install(a_crt, served_crt)
    install(a_key, served_key)
    for var in ("KRONIKA_HTTP_TLS_CERT", "KRONIKA_HTTP_TLS_KEY", "KRONIKA_MASTER_KEY_FILE"):
        os.environ.pop(var, None)
    node = HttpsKronika(work=os.path.join(work, "node"),
                        config=f'[http]\ntls_cert = "{served_crt}"\ntls_key = "{served_key}"\n')

    def reloads(result):
        return metric_value(node.metrics(), "kronika_config_reloads_total", {"result": result}) or 0

    def sighup_and_wait(result, before):
        node.proc.send_signal(signal.SIGHUP)
        wait_for(f"kronika_config_reloads_total{{result={result}}} > {before}",
                 lambda: reloads(result) > before, timeout=15)

    try:
        node.start()
        check(served_fingerprint(node.http_port) == a_fp, "1. started with certificate A: A is served")

        # 2. Renewed in place: B under the same names.
        old_conn = http.client.HTTPSConnection("127.0.0.1", node.http_port, timeout=5, context=insecure_context())
        check(healthz(old_conn) == 200, "2. a connection opened on A answers /healthz")
        install(b_crt, served_crt)
        install(b_key, served_key)
        applied = reloads("applied")
        sighup_and_wait("applied", applied)
        check(node.alive(), "2. SIGHUP: the daemon is still running")
        check(served_fingerprint(node.http_port) == b_fp, "2. after SIGHUP new connections get certificate B")
        check("http TLS certificate reloaded" in node.log_tail(20000) and "CN=cert-b" in node.log_tail(20000),
              "2. the log says the HTTPS certificate was reloaded and names B's subject")
        check(healthz(old_conn) == 200, "2. the connection opened before the reload still answers /healthz")
        old_conn.close()
        check(urllib.request.urlopen(f"https://127.0.0.1:{node.http_port}/healthz", timeout=5,
                                     context=insecure_context()).status == 200, "2. /healthz answers on B")

        # 3. Nothing changed: nothing reloaded.
        logged = node.log_tail(100000).count("http TLS certificate reloaded")
        sighup_and_wait("applied", reloads("applied"))
        check(node.log_tail(100000).count("http TLS certificate reloaded") == logged,
              "3. SIGHUP with the same files: the certificate is not reported as reloaded again")
        check(served_fingerprint(node.http_port) == b_fp, "3. still B")

        # 4. A key that does not match, then a certificate file that is not PEM: B stays.
        install(c_key, served_key)
        failed = reloads("failed")
        sighup_and_wait("failed", failed)
        check("does not match the certificate" in node.log_tail(20000),
              "4. a mismatched key: the log says the key does not match")
        check(served_fingerprint(node.http_port) == b_fp, "4. a mismatched key: new connections still get B")
        install(b_key, served_key)
        with open(served_crt, "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
        sighup_and_wait("failed", failed + 1)
        check(served_fingerprint(node.http_port) == b_fp, "4. a broken certificate: new connections still get B")
        check(urllib.request.urlopen(f"https://127.0.0.1:{node.http_port}/healthz", timeout=5,
                                     context=insecure_context()).status == 200,
              "4. /healthz keeps answering after the failed reloads")
        check(node.alive(), "4. the daemon is still running")
    finally:
        node.stop()
    if failures:
        print(node.log_tail(4000))
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print("TLS reload checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
