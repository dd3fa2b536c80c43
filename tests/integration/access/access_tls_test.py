#!/usr/bin/env python3
"""SEC-1: with KRONIKA_HTTP_TLS_CERT set the HTTP API is served over TLS (1.2+) only.

Debian 12's civetweb 1.15 dlopen()s "libssl.so" and calls SSL_get_peer_certificate, which
OpenSSL 3 no longer exports; kronika links its own "libssl.so"/"libcrypto.so" shims
(srs/http/civetweb_tls_shim/). Checked here, through the real daemon and real clients:
- every OpenSSL function civetweb names resolves through the shims the binary loads;
- a certificate chain (leaf + intermediate, client trusts only the root) with the key in the
  same PEM, with the key in KRONIKA_HTTP_TLS_KEY, and from the config file ([http] tls_cert,
  tls_key);
- token over HTTPS works, no token is 401, /metrics over HTTPS, plain HTTP gets no answer,
  TLS 1.1 is refused by the server, curl --cacert works;
- a missing certificate, a certificate without key, a mismatched key, an encrypted key and a
  shadowed shim each stop the start with a clear message (exit 1, no crash, no prompt).
"""
import ctypes
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import BIN, Kronika  # noqa: E402

OPENSSL_NAME = re.compile(rb"(?<=\x00)((?:SSL|TLS|ERR|CRYPTO|OPENSSL|X509|EVP|BN|ASN1|i2d|d2i)_[A-Za-z0-9_]+)(?=\x00)")


class TlsKronika(Kronika):
    def __init__(self, cafile, **kw):
        super().__init__(**kw)
        self.ctx = ssl.create_default_context(cafile=cafile)

    def metrics(self):
        with urllib.request.urlopen(f"https://127.0.0.1:{self.http_port}/metrics", timeout=5,
                                    context=self.ctx) as r:
            return r.read().decode()


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=cwd)


def make_pki(d):
    """Root CA -> intermediate CA -> leaf for IP 127.0.0.1; returns file paths."""
    ca_ext = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n" \
             "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
    leaf_ext = "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n" \
               "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n" \
               "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
    for name, text in (("ca.ext", ca_ext), ("leaf.ext", leaf_ext)):
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Kronika Test Root",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout", "root.key", "-out", "root.crt", cwd=d)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=Kronika Test Intermediate",
            "-keyout", "int.key", "-out", "int.csr", cwd=d)
    openssl("x509", "-req", "-in", "int.csr", "-CA", "root.crt", "-CAkey", "root.key", "-CAcreateserial",
            "-days", "2", "-extfile", "ca.ext", "-out", "int.crt", cwd=d)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", "leaf.key", "-out", "leaf.csr", cwd=d)
    openssl("x509", "-req", "-in", "leaf.csr", "-CA", "int.crt", "-CAkey", "int.key", "-CAcreateserial",
            "-days", "2", "-extfile", "leaf.ext", "-out", "leaf.crt", cwd=d)
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "other.key", cwd=d)
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-aes256",
            "-pass", "pass:secret", "-out", "encrypted.key", cwd=d)
    p = {n: os.path.join(d, n) for n in ("root.crt", "int.crt", "leaf.crt", "leaf.key", "other.key",
                                         "encrypted.key")}
    read = lambda n: open(p[n]).read()  # noqa: E731
    p["chain.pem"] = os.path.join(d, "chain.pem")  # leaf then intermediate, no key
    p["server.pem"] = os.path.join(d, "server.pem")  # chain + key in one file
    p["chain+encrypted.pem"] = os.path.join(d, "chain+encrypted.pem")
    for name, text in (("chain.pem", read("leaf.crt") + read("int.crt")),
                       ("server.pem", read("leaf.crt") + read("int.crt") + read("leaf.key")),
                       ("chain+encrypted.pem", read("leaf.crt") + read("int.crt") + read("encrypted.key"))):
        with open(p[name], "w") as f:
            f.write(text)
    return p


def tls_env(cert, key=None, **extra):
    env = dict(os.environ)
    env.pop("KRONIKA_MASTER_KEY_FILE", None)
    env.pop("KRONIKA_HTTP_TLS_KEY", None)
    env["KRONIKA_HTTP_TLS_CERT"] = cert
    if key:
        env["KRONIKA_HTTP_TLS_KEY"] = key
    env.update(extra)
    return env


def shim_paths():
    """Where the binary's "libssl.so", "libcrypto.so" and libcivetweb resolve (ldd)."""
    out = subprocess.run(["ldd", BIN], capture_output=True, text=True, check=True).stdout
    found = dict(re.findall(r"^\s*(\S+) => (\S+)", out, re.M))
    return found.get("libssl.so"), found.get("libcrypto.so"), found.get("libcivetweb.so.1")


def shadow_dir(work):
    """A directory whose libssl.so/libcrypto.so are the plain OpenSSL 3 libraries (as on a host
    with libssl-dev in LD_LIBRARY_PATH): it shadows the shims, the daemon must say so."""
    d = os.path.join(work, "shadow")
    os.makedirs(d, exist_ok=True)
    out = subprocess.run(["ldd", BIN], capture_output=True, text=True, check=True).stdout
    for soname, link in (("libssl.so.3", "libssl.so"), ("libcrypto.so.3", "libcrypto.so")):
        m = re.search(r"^\s*" + re.escape(soname) + r" => (\S+)", out, re.M)
        os.symlink(m.group(1), os.path.join(d, link))
    return d


def main():
    if not shutil.which("openssl"):
        print("SKIP: openssl not installed")
        return 77
    failures = []

    def check(cond, what):
        print(("ok   " if cond else "FAIL ") + what)
        if not cond:
            failures.append(what)

    # 1. The shims: every OpenSSL function civetweb names is found through them.
    ssl_shim, crypto_shim, civetweb = shim_paths()
    check(ssl_shim is not None and "/usr/lib" not in ssl_shim and crypto_shim is not None,
          f"SEC-1 kronika loads its own libssl.so/libcrypto.so ({ssl_shim}, {crypto_shim})")
    if civetweb and ssl_shim and crypto_shim:
        names = sorted({m.decode() for m in OPENSSL_NAME.findall(open(civetweb, "rb").read())})
        shims = [ctypes.CDLL(ssl_shim), ctypes.CDLL(crypto_shim)]
        missing = [n for n in names if not any(hasattr(lib, n) for lib in shims)]
        check(len(names) >= 50 and not missing,
              f"SEC-1 all {len(names)} OpenSSL functions civetweb looks up resolve via the shims "
              f"(missing: {missing})")
        check("SSL_get_peer_certificate" in names and hasattr(shims[0], "SSL_get_peer_certificate")
              and not hasattr(ctypes.CDLL("libssl.so.3"), "SSL_get_peer_certificate"),
              "SEC-1 SSL_get_peer_certificate: absent from libssl.so.3, supplied by the shim")

    work = tempfile.mkdtemp(prefix="kronika-tls-")
    pki = make_pki(work)
    nodes = []
    try:
        # 2. Chain + key in one PEM; the client trusts only the root, so the chain is served.
        node = TlsKronika(pki["root.crt"], work=os.path.join(work, "a"))
        nodes.append(node)
        os.makedirs(node.data_dir, exist_ok=True)
        r = subprocess.run([BIN, "user", "add", "olga", "--role", "auditor", "--name", "Olga", "--surname", "A",
                            "--position", "Auditor", "--data-dir", node.data_dir], capture_output=True, text=True)
        check(r.returncode == 0, "user add")
        token = subprocess.run([BIN, "user", "token", "olga", "--data-dir", node.data_dir],
                               capture_output=True, text=True).stdout.strip()
        os.environ.update(tls_env(pki["server.pem"]))
        os.environ.pop("KRONIKA_MASTER_KEY_FILE", None)
        node.start()
        base = f"https://127.0.0.1:{node.http_port}"
        req = urllib.request.Request(base + "/api/v1/me", headers={"Authorization": "Bearer " + token})
        with urllib.request.urlopen(req, timeout=5, context=node.ctx) as resp:
            me = json.loads(resp.read())
        check(me.get("username") == "olga", "SEC-1 token accepted over HTTPS (chain served, root trusted)")
        try:
            urllib.request.urlopen(urllib.request.Request(base + "/api/v1/me"), timeout=5, context=node.ctx)
            check(False, "SEC-1 no token over HTTPS -> 401")
        except urllib.error.HTTPError as e:
            check(e.code == 401, f"SEC-1 no token over HTTPS -> 401 (got {e.code})")
        check('kronika_build_info{version="' in node.metrics(), "SEC-1 /metrics served over HTTPS")
        with socket.create_connection(("127.0.0.1", node.http_port), timeout=5) as raw:
            with node.ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                version = tls.version()
        check(version in ("TLSv1.2", "TLSv1.3"), f"SEC-1 negotiated {version}")
        old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        old.check_hostname, old.verify_mode = False, ssl.CERT_NONE
        old.set_ciphers("DEFAULT:@SECLEVEL=0")
        old.minimum_version = ssl.TLSVersion.TLSv1
        old.maximum_version = ssl.TLSVersion.TLSv1_1
        refusal = ""
        try:
            with socket.create_connection(("127.0.0.1", node.http_port), timeout=5) as raw:
                with old.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                    refusal = "handshake succeeded with " + tls.version()
        except ssl.SSLError as e:
            refusal = str(e)
        check("ALERT_PROTOCOL_VERSION" in refusal, f"SEC-1 the server refuses TLS 1.1 ({refusal})")
        plain_ok = False
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{node.http_port}/metrics", timeout=3)
            plain_ok = True
        except Exception:  # noqa: BLE001 - any failure means plain HTTP is not served
            pass
        check(not plain_ok, "SEC-1 plain HTTP is not answered on the TLS port")
        if shutil.which("curl"):
            c = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", pki["root.crt"],
                                base + "/healthz"], capture_output=True, text=True, timeout=20)
            check(c.stdout == "200", f"SEC-1 curl --cacert root.crt {base}/healthz -> 200 (got {c.stdout!r} {c.stderr})")
        node.stop()

        # 3. Key in its own file (KRONIKA_HTTP_TLS_KEY).
        os.environ.update(tls_env(pki["chain.pem"], pki["leaf.key"]))
        node2 = TlsKronika(pki["root.crt"], work=os.path.join(work, "b"))
        nodes.append(node2)
        node2.start()
        with urllib.request.urlopen(f"https://127.0.0.1:{node2.http_port}/healthz", timeout=5,
                                    context=node2.ctx) as resp:
            check(resp.status == 200, "SEC-1 separate key file (KRONIKA_HTTP_TLS_KEY): /healthz over HTTPS")
        node2.stop()
        os.environ.pop("KRONIKA_HTTP_TLS_KEY", None)
        os.environ.pop("KRONIKA_HTTP_TLS_CERT", None)

        # 4. The same from the config file: [http] tls_cert + tls_key.
        conf = os.path.join(work, "kronika.toml")
        with open(conf, "w") as f:
            f.write(f'[http]\ntls_cert = "{pki["chain.pem"]}"\ntls_key = "{pki["leaf.key"]}"\n')
        node3 = TlsKronika(pki["root.crt"], work=os.path.join(work, "c"), extra_args=("--config", conf))
        nodes.append(node3)
        node3.start()
        with urllib.request.urlopen(f"https://127.0.0.1:{node3.http_port}/healthz", timeout=5,
                                    context=node3.ctx) as resp:
            check(resp.status == 200, "SEC-1 config file [http] tls_cert + tls_key: /healthz over HTTPS")
        node3.stop()
        with open(conf, "w") as f:
            f.write(f'[http]\ntls_key = "{pki["leaf.key"]}"\n')
        r = subprocess.run([BIN, "serve", "--config", conf, "--check-config"], capture_output=True, text=True,
                           env=tls_env(""), timeout=30)
        check(r.returncode == 2 and "http.tls_key: set but http.tls_cert is not" in r.stderr,
              f"SEC-1 config http.tls_key without tls_cert is refused with exit 2 ({r.returncode}: {r.stderr.strip()})")

        # 5. Bad setups: a clear message and exit 1 (not a signal, not a pass phrase prompt).
        missing = os.path.join(work, "no-such-cert.pem")
        cases = [
            ("missing certificate file", tls_env(missing), f"TLS certificate '{missing}' cannot be read"),
            ("certificate without key", tls_env(pki["chain.pem"]), "no usable unencrypted PEM private key"),
            ("key of another certificate", tls_env(pki["chain.pem"], pki["other.key"]),
             "does not match the certificate"),
            ("encrypted key", tls_env(pki["chain+encrypted.pem"]), "no usable unencrypted PEM private key"),
            ("key without certificate", {**tls_env(""), "KRONIKA_HTTP_TLS_KEY": pki["leaf.key"]},
             "private key is set but no certificate"),
            ("shim shadowed by LD_LIBRARY_PATH", tls_env(pki["server.pem"], LD_LIBRARY_PATH=shadow_dir(work)),
             "not kronika's shim"),
        ]
        for what, env, expected in cases:
            bad = Kronika(work=os.path.join(work, "bad-" + str(len(nodes))))
            nodes.append(bad)
            try:
                r = subprocess.run(bad.args, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                   timeout=60)
                out, code = r.stdout + r.stderr, r.returncode
            except subprocess.TimeoutExpired:
                out, code = "timed out (waiting for a pass phrase?)", None
            check(code == 1 and expected in out,
                  f"SEC-1 {what}: start fails with exit 1 and \"{expected}\" (exit {code}: {out.strip()[-300:]})")
    finally:
        for n in nodes:
            n.stop()
    if failures:
        for n in nodes:
            print(n.log_tail(1500))
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print("TLS checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
