#!/usr/bin/env python3
"""Issue 16 item 4 (ACCESS-1): people sign in to a real daemon with a password set by
`kronika user passwd --password-stdin` (through the daemon's admin socket: only the argon2id
hash crosses it) and use the session cookie:
- the cookie is HttpOnly, SameSite=Strict, Path=/ (no Secure on plain HTTP); the JSON names
  the user, roles, name, language (the user's own) and the CSRF token;
- a change made with the cookie but without X-CSRF-Token is refused 403, logged and counted
  (reason csrf); with the token it reaches its handler;
- with [signin] idle_timeout = "2s" the session ends after 2 s without a request;
- DELETE /api/v1/session signs out and clears the cookie;
- a wrong password is refused in the office's language (Polish by default);
- a password shorter than 10 characters is refused by the command.
"""
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import BIN, Kronika, make_tempdir, metric_value  # noqa: E402

PASSWORD = "Archiwum-2026-grudzien"


def call(k: Kronika, method: str, path: str, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    h = {"Content-Type": "application/json"} if data else {}
    h.update(headers or {})
    req = urllib.request.Request(f"http://127.0.0.1:{k.http_port}{path}", data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"{}"), r.headers
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}"), e.headers


def cli(k: Kronika, *args, stdin=""):
    r = subprocess.run([str(BIN), *args, "--data-dir", k.data_dir], input=stdin, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def main() -> int:
    work = str(make_tempdir("kronika-signin-"))
    k = Kronika(work=work, config='[signin]\nidle_timeout = "2s"\nlockout_address_failures = 100\n')
    try:
        k.start()
        code, _, err = cli(k, "user", "add", "keeper", "--role", "records_keeper", "--name", "Jan", "--surname",
                           "Kowalski", "--position", "archiwista", "--language", "en")
        assert code == 0, err
        code, _, err = cli(k, "user", "passwd", "keeper", "--password-stdin", stdin="too short\n")
        assert code == 2 and "at least 10" in err, err
        code, out, err = cli(k, "user", "passwd", "keeper", "--password-stdin", stdin=PASSWORD + "\n")
        assert code == 0 and "ustawiono hasło użytkownika keeper" in out, (out, err)  # the office's Polish
        assert "admin: user.passwd from pid" in k.log_text(), "the daemon stored the hash"
        assert PASSWORD not in k.log_text()

        status, wrong, _ = call(k, "POST", "/api/v1/session", {"username": "keeper", "password": "nie to hasło"})
        assert status == 401 and wrong["error"]["message"] == "Nieprawidłowa nazwa użytkownika lub hasło.", wrong

        status, session, headers = call(k, "POST", "/api/v1/session", {"username": "keeper", "password": PASSWORD})
        assert status == 200, session
        cookie_header = headers["Set-Cookie"]
        flags = [f.strip() for f in cookie_header.split(";")]
        assert "HttpOnly" in flags and "SameSite=Strict" in flags and "Path=/" in flags, cookie_header
        assert "Secure" not in flags, cookie_header  # plain HTTP
        assert session["user"] == "keeper" and session["roles"] == ["records_keeper"], session
        assert session["name"] == "Jan Kowalski" and session["language"] == "en" and session["idle_timeout_s"] == 2
        cookie = {"Cookie": cookie_header.split(";")[0]}
        csrf = session["csrf_token"]

        status, me, _ = call(k, "GET", "/api/v1/session", headers=cookie)
        assert status == 200 and me["csrf_token"] == csrf, me
        disclosure = {"requester_institution": "Prokuratura Rejonowa", "request_number": "PR 1/26",
                      "legal_basis": "art. 15", "recording_ids": []}
        status, forged, _ = call(k, "POST", "/api/v1/disclosures", disclosure, headers=cookie)
        assert status == 403 and "X-CSRF-Token" in forged["error"]["message"], forged
        assert "X-CSRF-Token header required" in k.log_text()
        status, real, _ = call(k, "POST", "/api/v1/disclosures", disclosure, headers={**cookie, "X-CSRF-Token": csrf})
        assert status != 403, real

        time.sleep(2.5)
        status, idle, _ = call(k, "GET", "/api/v1/session", headers=cookie)
        assert status == 401 and "inactivity" in idle["error"]["message"], idle

        status, again, headers = call(k, "POST", "/api/v1/session", {"username": "keeper", "password": PASSWORD})
        assert status == 200
        cookie = {"Cookie": headers["Set-Cookie"].split(";")[0]}
        status, out, headers = call(k, "DELETE", "/api/v1/session", headers={**cookie, "X-CSRF-Token": again["csrf_token"]})
        assert status == 200 and "Max-Age=0" in headers["Set-Cookie"], (status, out)
        assert call(k, "GET", "/api/v1/session", headers=cookie)[0] == 401

        m = k.metrics()
        assert metric_value(m, "kronika_access_refused_total", {"reason": "csrf"}) == 1
        assert metric_value(m, "kronika_access_signin_total", {"result": "ok"}) == 2
        assert metric_value(m, "kronika_access_signin_total", {"result": "bad_credentials"}) == 1
        assert metric_value(m, "kronika_access_sessions") == 0
        print("password sign-in, cookie flags, CSRF, idle timeout, sign-out: OK")
        return 0
    finally:
        k.stop()


if __name__ == "__main__":
    sys.exit(main())
