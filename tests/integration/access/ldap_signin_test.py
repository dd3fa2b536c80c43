#!/usr/bin/env python3
"""Issue 16 item 4 (ACCESS-1): sign-in to the web UI by an LDAP bind against a real OpenLDAP.

A slapd from Debian is started on a loopback port with a generated slapd.conf (mdb backend,
the memberof overlay, so entries carry memberOf as on Active Directory) and a generated
directory: anna in cn=listeners, jan in cn=keepers, piotr in no mapped group, ewa in
cn=listeners but also a local Kronika user (approver, no local password). Through the
daemon's HTTP API (POST /api/v1/session):
- anna and jan get sessions with the roles their groups map to and their LDAP names;
- ewa gets her local record's roles, not her group's; piotr is refused (no_role, 403);
- a wrong password is 401; 3 wrong passwords lock jan (429 with Retry-After, even with the
  right password), logged and counted (kronika_access_lockouts_total{scope="username"});
- a hung slapd (SIGSTOP) is a 503 within the configured 1 s timeout (a few steps), a log
  line and kronika_access_signin_total{result="unavailable"}; the HTTP worker is free again
  (GET /healthz answers at once); a killed slapd is a fast 503.
"""
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import BIN, Kronika, free_port, make_tempdir, metric_value, require_tools, skip, wait_for  # noqa: E402

SLAPD = "/usr/sbin/slapd"
BASE = "dc=kronika,dc=test"
ROOT_DN = f"cn=admin,{BASE}"
ROOT_PW = "root-secret"
PASSWORDS = {"anna": "anna-pass-123", "jan": "jan-pass-4567", "piotr": "piotr-pass-89", "ewa": "ewa-pass-0000"}

SLAPD_CONF = """
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile {d}/slapd.pid
argsfile {d}/slapd.args
database mdb
maxsize 10485760
suffix "{base}"
rootdn "{root}"
rootpw {rootpw}
directory {d}/db
overlay memberof
access to attrs=userPassword by self write by anonymous auth by * none
access to * by self read by users read by * none
"""


def entries() -> str:
    people = [("anna", "Anna", "Nowak", "inspektor"), ("jan", "Jan", "Kowalski", "archiwista"),
              ("piotr", "Piotr", "Zieliński", "referent"), ("ewa", "Ewa", "Wiśniewska", "dyrektor")]
    out = [f"dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\no: Kronika test\ndc: kronika\n",
           f"dn: ou=people,{BASE}\nobjectClass: organizationalUnit\nou: people\n",
           f"dn: ou=groups,{BASE}\nobjectClass: organizationalUnit\nou: groups\n"]
    for uid, given, sn, title in people:
        out.append(f"dn: uid={uid},ou=people,{BASE}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {given} {sn}\n"
                   f"givenName: {given}\nsn: {sn}\ntitle: {title}\nuserPassword: {PASSWORDS[uid]}\n")
    for group, members in (("listeners", ["anna", "ewa"]), ("keepers", ["jan"]), ("others", ["piotr"])):
        lines = "".join(f"member: uid={m},ou=people,{BASE}\n" for m in members)
        out.append(f"dn: cn={group},ou=groups,{BASE}\nobjectClass: groupOfNames\ncn: {group}\n{lines}")
    return "\n".join(out)


def start_slapd(work: str, port: int) -> subprocess.Popen:
    os.makedirs(os.path.join(work, "db"), exist_ok=True)
    conf = os.path.join(work, "slapd.conf")
    with open(conf, "w") as f:
        f.write(SLAPD_CONF.format(d=work, base=BASE, root=ROOT_DN, rootpw=ROOT_PW))
    log = open(os.path.join(work, "slapd.log"), "w")
    # -d 0: stay in the foreground (a child we can stop and kill), no debug output.
    proc = subprocess.Popen([SLAPD, "-f", conf, "-h", f"ldap://127.0.0.1:{port}/", "-d", "0"],
                            stdout=log, stderr=subprocess.STDOUT)

    def up():
        if proc.poll() is not None:
            raise AssertionError("slapd exited: " + open(os.path.join(work, "slapd.log")).read()[-2000:])
        return subprocess.run(["ldapwhoami", "-x", "-H", f"ldap://127.0.0.1:{port}/", "-D", ROOT_DN, "-w", ROOT_PW],
                              capture_output=True).returncode == 0
    wait_for("slapd answering", up, timeout=20)
    add = subprocess.run(["ldapadd", "-x", "-H", f"ldap://127.0.0.1:{port}/", "-D", ROOT_DN, "-w", ROOT_PW],
                         input=entries(), text=True, capture_output=True)
    assert add.returncode == 0, add.stderr
    # The overlay wrote memberOf: anna's own bind can read it.
    who = subprocess.run(["ldapsearch", "-x", "-LLL", "-H", f"ldap://127.0.0.1:{port}/",
                          "-D", f"uid=anna,ou=people,{BASE}", "-w", PASSWORDS["anna"],
                          "-b", f"uid=anna,ou=people,{BASE}", "-s", "base", "memberOf"], capture_output=True, text=True)
    assert f"memberOf: cn=listeners,ou=groups,{BASE}" in who.stdout, who.stdout + who.stderr
    return proc


def post_session(k: Kronika, username: str, password: str):
    body = json.dumps({"username": username, "password": password}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{k.http_port}/api/v1/session", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read()), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}"), dict(e.headers)


def get_session(k: Kronika, cookie: str):
    req = urllib.request.Request(f"http://127.0.0.1:{k.http_port}/api/v1/session", headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def main() -> int:
    require_tools("ldapadd", "ldapsearch", "ldapwhoami")
    if not os.path.exists(SLAPD):
        skip("slapd is not installed (Debian package slapd)")
    work = str(make_tempdir("kronika-ldap-"))
    ldap_port = free_port()
    slapd = start_slapd(os.path.join(work, "slapd"), ldap_port)
    config = f"""
[signin]
lockout_failures = 3
lockout_address_failures = 100

[ldap]
url = "ldap://127.0.0.1:{ldap_port}"
bind_dn = "uid={{username}},ou=people,{BASE}"
timeout = "1s"
group_roles = {{ "cn=Listeners,ou=groups,{BASE}" = ["listener"], "cn=keepers,ou=groups,{BASE}" = ["records_keeper", "auditor"] }}
"""
    k = Kronika(work=os.path.join(work, "kronika"), config=config)
    try:
        k.start()
        add = subprocess.run([str(BIN), "user", "add", "ewa", "--role", "approver", "--name", "Ewa", "--surname",
                              "Lokalna", "--position", "dyrektor", "--language", "en", "--data-dir", k.data_dir],
                             capture_output=True, text=True)
        assert add.returncode == 0, add.stderr

        status, anna, headers = post_session(k, "anna", PASSWORDS["anna"])
        assert status == 200, anna
        assert anna["roles"] == ["listener"] and anna["name"] == "Anna Nowak" and anna["method"] == "ldap", anna
        assert anna["language"] == "pl", anna  # the office's default
        cookie = headers["Set-Cookie"].split(";")[0]
        assert get_session(k, cookie)[1]["user"] == "anna"

        status, jan, _ = post_session(k, "jan", PASSWORDS["jan"])
        assert status == 200 and jan["roles"] == ["records_keeper", "auditor"], jan

        status, ewa, _ = post_session(k, "ewa", PASSWORDS["ewa"])
        assert status == 200 and ewa["roles"] == ["approver"] and ewa["name"] == "Ewa Lokalna", ewa
        assert ewa["language"] == "en", ewa

        status, piotr, _ = post_session(k, "piotr", PASSWORDS["piotr"])
        assert status == 403 and piotr["error"]["reason"] == "no_role", piotr

        status, wrong, _ = post_session(k, "anna", "not her password")
        assert status == 401 and wrong["error"]["reason"] == "bad_credentials", wrong
        status, empty, _ = post_session(k, "anna", "")
        assert status == 401, empty  # never an anonymous bind

        for _ in range(3):
            assert post_session(k, "jan", "guess guess")[0] == 401
        status, locked, headers = post_session(k, "jan", PASSWORDS["jan"])
        assert status == 429 and locked["error"]["reason"] == "locked", locked
        assert 800 <= int(headers["Retry-After"]) <= 900, headers
        assert metric_value(k.metrics(), "kronika_access_lockouts_total", {"scope": "username"}) == 1
        assert "sign-in of user jan locked until" in k.log_text()

        # A hung directory server: the bind waits at most the timeout, then 503.
        os.kill(slapd.pid, signal.SIGSTOP)
        started = time.monotonic()
        status, hung, headers = post_session(k, "anna", PASSWORDS["anna"])
        took = time.monotonic() - started
        assert status == 503 and hung["error"]["reason"] == "unavailable", hung
        assert took < 5, f"a hung LDAP server held the sign-in {took:.1f} s"
        assert headers.get("Retry-After") == "30"
        with urllib.request.urlopen(f"http://127.0.0.1:{k.http_port}/healthz", timeout=2) as r:
            assert r.status == 200
        os.kill(slapd.pid, signal.SIGCONT)
        assert post_session(k, "anna", PASSWORDS["anna"])[0] == 200

        # A stopped directory server: refused at once.
        slapd.terminate()
        slapd.wait(10)
        started = time.monotonic()
        status, down, _ = post_session(k, "anna", PASSWORDS["anna"])
        assert status == 503 and down["error"]["reason"] == "unavailable", down
        assert time.monotonic() - started < 3
        log = k.log_text()
        assert "refused (unavailable): ldap: ldap://127.0.0.1" in log, log[-3000:]
        assert metric_value(k.metrics(), "kronika_access_signin_total", {"result": "unavailable"}) == 2
        assert metric_value(k.metrics(), "kronika_access_signin_total", {"result": "ok"}) == 4
        # The directory's refusals never counted against anna's lock-out.
        assert metric_value(k.metrics(), "kronika_access_lockouts_total", {"scope": "username"}) == 1
        print("ldap sign-in: roles from groups, local roles win, no_role, wrong password, lock-out, hung and "
              "stopped slapd: OK")
        return 0
    finally:
        k.stop()
        if slapd.poll() is None:
            os.kill(slapd.pid, signal.SIGCONT)
            slapd.kill()
            slapd.wait()


if __name__ == "__main__":
    sys.exit(main())
