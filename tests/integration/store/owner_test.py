#!/usr/bin/env python3
"""One owner per database (issue 15 item 1), through the real binary.

- A second `kronika serve` on the same data dir refuses to start, naming the PID of the
  first; the lock file holds that PID while the daemon runs.
- The admin socket is <data_dir>/admin.sock, mode 0600; a peer of another user is refused
  even when the file mode is widened (peer credentials), and the refusal is logged.
- CLI while the daemon runs: `kronika dnr add`, `user add`, `user token`, `hold place` are
  carried out by the daemon (its log names each request and its outcome), the daemon keeps
  the lock throughout, and the token works on the daemon's API at once.
- CLI without a daemon: the command takes the lock itself (its PID and name are left in
  the lock file) and writes; the next daemon sees what it wrote.
"""
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import BIN, SOURCE, Kronika, free_udp_tcp_port, make_tone_wav, wait_for  # noqa: E402

SCENARIO = os.path.join(SOURCE, "tests/integration/ops/uac-short-call.xml")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def cli(*args):
    r = subprocess.run([BIN, *args], capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr, r


def lock_file(data):
    with open(os.path.join(data, "kronika.lock")) as f:
        return f.read()


def api_get(port, path, token):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, None


def request_as(uid, path, line):
    """Sends one admin request as `uid` (a child process); returns the answer line."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        answer = b""
        try:
            os.setgid(uid)
            os.setuid(uid)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(5)
            s.connect(path)
            s.sendall(line.encode() + b"\n")
            while not answer.endswith(b"\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                answer += chunk
        except OSError as e:
            answer = f"error: {e}".encode()
        os.write(w, answer)
        os._exit(0)
    os.close(w)
    out = b""
    while True:
        chunk = os.read(r, 4096)
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    return out.decode(errors="replace")


def main():
    if not shutil.which("sipp") or not shutil.which("sox"):
        print("SKIP: sipp and sox are needed")
        return 77
    node = Kronika()
    data = node.data_dir
    work = node.work
    try:
        node.start()
        daemon_pid = node.proc.pid
        check(lock_file(data) == f"{daemon_pid}\nkronika serve\n", "the lock file names the daemon's PID while it runs")

        # A second serve on the same data dir refuses, naming the first.
        second = Kronika(work=os.path.join(work, "second"))
        second.data_dir = data
        second.args[second.args.index("--data-dir") + 1] = data
        r = subprocess.run(second.args, capture_output=True, text=True, timeout=30)
        check(r.returncode != 0 and f"in use by process {daemon_pid} (kronika serve)" in (r.stdout + r.stderr),
              f"a second serve refuses, naming PID {daemon_pid} (exit {r.returncode}: {(r.stdout + r.stderr)[-300:]})")
        check(node.alive(), "the first daemon goes on")

        sock = os.path.join(data, "admin.sock")
        mode = stat.S_IMODE(os.stat(sock).st_mode)
        check(stat.S_ISSOCK(os.stat(sock).st_mode) and mode == 0o600, f"admin socket is mode 0600 (got {oct(mode)})")

        # CLI while the daemon runs: the daemon does each write.
        make_tone_wav(os.path.join(work, "tone.wav"))
        call = subprocess.run(["sipp", "-sf", SCENARIO, "-m", "1", "-p", str(free_udp_tcp_port()), "-i", "127.0.0.1",
                               "-timeout", "30s", "-timeout_error", "-nostdin", f"127.0.0.1:{node.sip_port}"],
                              cwd=work, capture_output=True, text=True)
        check(call.returncode == 0, "SIPp call recorded")

        def stored():
            code, out, r = cli("query", "--data-dir", data, "--json")
            rows = json.loads(r.stdout) if code == 0 else []
            rows = rows if isinstance(rows, list) else rows.get("recordings", [])
            return [x for x in rows if x.get("state") == "completed"]
        rec = wait_for("the recording stored", stored, timeout=30)[0]["recording_id"]

        for args, op in [(("dnr", "add", "+48 601 000 111", "--by", "jan", "--reason", "objection"), "dnr.add"),
                         (("user", "add", "anna", "--role", "records_keeper", "--name", "Anna", "--surname", "Nowak",
                           "--position", "Records keeper"), "user.add"),
                         (("hold", "place", rec, "--case", "II K 1/26", "--by", "jan"), "hold.place")]:
            code, out, r = cli(*args, "--data-dir", data)
            check(code == 0, f"kronika {' '.join(args[:2])} while the daemon runs (exit {code}: {out.strip()[-200:]})")
            check(re.search(rf"admin: {re.escape(op)} from pid \d+ uid \d+: ok", node.log_text(200000)) is not None,
                  f"the daemon carried out {op} and logged it")
        code, out, r = cli("user", "token", "anna", "--data-dir", data)
        token = r.stdout.strip()
        check(code == 0 and token.startswith("krk_"), "kronika user token while the daemon runs")
        s, body = api_get(node.http_port, f"/api/v1/recordings/{rec}", token)
        check(s == 200 and body.get("legal_hold") is True,
              f"the token works on the daemon's API at once, and the hold shows (got {s}, {body and body.get('legal_hold')})")
        code, out, _ = cli("dnr", "list", "--data-dir", data)
        check(code == 0 and "+48601000111" in out, "kronika dnr list reads while the daemon runs")
        code, out, _ = cli("hold", "place", rec, "--case", "II K 1/26", "--by", "jan", "--data-dir", data)
        check(code == 1 and "already" in out, f"an error of the daemon's write comes back to the CLI ({out.strip()})")
        check(lock_file(data) == f"{daemon_pid}\nkronika serve\n", "the daemon kept the lock throughout")

        # Another user: refused by peer credentials even with the file mode and the
        # directories above it opened to everyone.
        for d in (work, data):
            os.chmod(d, 0o755)
        os.chmod(sock, 0o666)
        answer = request_as(65534, sock, json.dumps({"op": "dnr.remove", "args": {"number": "+48601000111"}}))
        check("permission_denied" in answer, f"a peer of another uid is refused ({answer.strip()[:120]})")
        check("refused a request from uid 65534" in node.log_text(200000), "the refused peer is logged")
        code, out, _ = cli("dnr", "list", "--data-dir", data)
        check("+48601000111" in out, "the refused request changed nothing")
    finally:
        node.stop()
    check(not os.path.exists(os.path.join(data, "admin.sock")), "the socket is removed when the daemon stops")

    # CLI without a daemon: the command owns the directory and writes itself.
    p = subprocess.Popen([BIN, "dnr", "add", "+48 601 000 222", "--by", "jan", "--data-dir", data],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out, _ = p.communicate(timeout=30)
    check(p.returncode == 0, f"kronika dnr add without a daemon ({out.strip()})")
    check(lock_file(data) == f"{p.pid}\nkronika dnr\n", f"the command took the lock itself ({lock_file(data)!r})")
    try:
        node.start()
        code, out, _ = cli("dnr", "list", "--data-dir", data)
        check(code == 0 and "+48601000111" in out and "+48601000222" in out,
              "the next daemon's data dir has both numbers")
    finally:
        node.stop()
    if failures:
        print(node.log_text())
        print(f"{len(failures)} check(s) failed")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
