#!/usr/bin/env python3
"""A real install (issue 15 item 6): the .deb built from this build tree is installed on
this machine, its unit verified, the installed daemon run as user kronika with the
installed configuration records one SIPREC call, and removing the package leaves the
recordings and the database in place.

Steps, each one a check:
  1. `cpack -G DEB` in $KRONIKA_BUILD; the control file has the shared-library Depends and
     the conffiles of /etc/kronika.
  2. `dpkg -i`: /usr/bin/kronika, /usr/libexec/kronika/kronika-pdf, /etc/kronika/kronika.toml
     (data_dir /var/lib/kronika), the kronika user (sysusers.d), /var/lib/kronika 0750
     owned by kronika (tmpfiles.d), kronika(1) with every subcommand's --help.
  3. `systemd-analyze verify` on the installed unit (no running systemd needed: it loads
     the unit the way PID 1 would and checks it, its executable and its user settings), and
     `systemd-analyze security --offline` scores its hardening (exposure at most 3.5).
  4. `kronika init` as user kronika makes the database in /var/lib/kronika; then
     /usr/bin/kronika serve as user kronika (setpriv) with /etc/kronika/kronika.toml, SIP,
     HTTP and RTP ports overridden to free ones, NOTIFY_SOCKET set to a socket of ours as
     systemd would: READY=1 must come once SIP answers; one SIPp call (two RTP legs); as
     user kronika, `kronika query` (configuration found at /etc/kronika/kronika.toml by
     itself) lists it and its file is under /var/lib/kronika; `kronika register export
     --format pdf` finds the installed PDF helper; SIGTERM: STOPPING=1, exit 0.
  5. `dpkg -r kronika`: program and unit gone, the configuration (conffiles) and every
     recording and the database unchanged; `dpkg -i` again reads them.
  6. `dpkg --purge kronika`: the configuration gone, /var/lib/kronika still there (the
     office's records are never deleted by the package manager).
Then the machine is tidied (data dir, user and package of this test removed) so the test
can run again. It changes the system, so it runs as root, one at a time across build
directories (a lock in /run/lock), and refuses to touch a kronika package, user or
/var/lib/kronika it did not make itself.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness as h  # noqa: E402

PACKAGE = "kronika"
DATA_DIR = Path("/var/lib/kronika")
CONFIG = Path("/etc/kronika/kronika.toml")
BIN = Path("/usr/bin/kronika")
PDF_HELPER = Path("/usr/libexec/kronika/kronika-pdf")
UNIT = Path("/usr/lib/systemd/system/kronika.service")
MAN_PAGE = Path("/usr/share/man/man1/kronika.1")
# Written before this test installs anything, removed after it tidied up: a leftover means a
# previous run failed half-way, and what it left may be removed. Beside the data dir, not in it.
MARKER = Path("/var/lib/.kronika-install-test")
LOCK = Path("/run/lock/kronika-install-test.lock")
SCENARIO = Path(h.SOURCE) / "tests/integration/ops/uac-short-call.xml"

failures: list[str] = []


def check(ok: bool, what: str) -> bool:
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)
    return ok


def run(cmd: list[str], check_rc: bool = True, **kw) -> subprocess.CompletedProcess:
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check_rc and r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return r


# The environment of every command run as kronika: nothing of ours (no KRONIKA_CONFIG), so the
# configuration is found the way an operator's shell finds it.
KRONIKA_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}


def as_kronika(cmd: list[str]) -> list[str]:
    """`cmd` as user and group kronika (setpriv keeps the environment we pass)."""
    return ["setpriv", "--reuid=kronika", "--regid=kronika", "--init-groups", "--"] + cmd


def package_status() -> str:
    """dpkg's status of the package: "install ok installed", "deinstall ok config-files", "" none."""
    r = run(["dpkg-query", "-W", "-f=${Status}", PACKAGE], check_rc=False)
    return r.stdout.strip() if r.returncode == 0 else ""


def user_exists() -> bool:
    try:
        pwd.getpwnam("kronika")
        return True
    except KeyError:
        return False


def tidy_up(marker: dict) -> None:
    """Removes what this test (or an earlier, failed run of it) installed and made."""
    if package_status():
        run(["dpkg", "--purge", PACKAGE], check_rc=False)
    shutil.rmtree(DATA_DIR, ignore_errors=True)
    if marker.get("user_created") and user_exists():
        run(["userdel", "kronika"], check_rc=False)
    if marker.get("user_created") and run(["getent", "group", "kronika"], check_rc=False).returncode == 0:
        run(["groupdel", "kronika"], check_rc=False)
    for d in ("/etc/kronika/sites", "/etc/kronika"):
        try:
            os.rmdir(d)  # only when dpkg left it empty
        except OSError:
            pass
    MARKER.unlink(missing_ok=True)


def preflight() -> dict:
    """Refuses to run over a real installation; tidies a previous failed run's leftovers.
    Returns the new marker (what this run must undo)."""
    if MARKER.exists():
        try:
            old = json.loads(MARKER.read_text())
        except ValueError:
            old = {}
        print(f"a previous run left {MARKER}: tidying up after it", flush=True)
        tidy_up(old)
        return {"user_created": not user_exists()}
    if package_status():
        raise SystemExit(f"FAIL: package {PACKAGE} is installed ({package_status()}) and this test did not install "
                         "it: refusing to remove it (dpkg --purge kronika first, if it is yours to remove)")
    if DATA_DIR.exists():
        raise SystemExit(f"FAIL: {DATA_DIR} exists and this test did not make it (it may hold recordings): "
                         "refusing to run over it")
    if CONFIG.parent.exists():
        raise SystemExit(f"FAIL: {CONFIG.parent} exists and this test did not make it (someone's configuration; "
                         "`cmake --install` writes it too): refusing to install over it")
    return {"user_created": not user_exists()}


def build_deb(work: Path) -> Path:
    build = os.environ.get("KRONIKA_BUILD")
    if not build or not Path(build, "CPackConfig.cmake").exists():
        raise AssertionError("KRONIKA_BUILD is not set or has no CPackConfig.cmake (run through ctest)")
    out = work / "package"
    r = run(["cpack", "-G", "DEB", "-B", str(out), "--config", str(Path(build, "CPackConfig.cmake"))])
    debs = sorted(out.glob("kronika_*.deb"))
    if len(debs) != 1:
        raise AssertionError(f"cpack made {debs}, not one kronika_*.deb:\n{r.stdout[-2000:]}")
    deb = debs[0]
    control = run(["dpkg-deb", "-f", str(deb)]).stdout
    depends = next((line for line in control.splitlines() if line.startswith("Depends:")), "")
    for lib in ("libsofia-sip-ua0", "libopus0", "liblmdb0", "libsystemd0", "libcairo2", "libcurl4", "libc6", "adduser"):
        check(lib in depends, f"the .deb depends on {lib}: {depends[:100]}...")
    conffiles = run(["dpkg-deb", "-I", str(deb), "conffiles"]).stdout
    check(str(CONFIG) in conffiles and "/etc/kronika/sites/" in conffiles, "/etc/kronika files are conffiles")
    print(f"built {deb.name} ({deb.stat().st_size} bytes)", flush=True)
    return deb


def check_installed() -> None:
    check(os.access(BIN, os.X_OK), f"{BIN} installed")
    check(os.access(PDF_HELPER, os.X_OK), f"{PDF_HELPER} installed (where {BIN} looks for it)")
    check(UNIT.exists(), f"{UNIT} installed")
    check(CONFIG.exists() and 'data_dir = "/var/lib/kronika"' in CONFIG.read_text(),
          f"{CONFIG} installed, storage.data_dir = /var/lib/kronika")
    check(len(list(Path("/etc/kronika/sites").glob("*.toml"))) >= 1, "sample site files in /etc/kronika/sites")
    if shutil.which("man"):
        r = run(["man", "--warnings", "-l", str(MAN_PAGE)], check_rc=False, env={**os.environ, "MANWIDTH": "100"})
        check(r.returncode == 0 and not r.stderr.strip() and "kronika hold place" in r.stdout
              and "kronika retention sweep" in r.stdout,
              f"{MAN_PAGE} renders without warnings and has every subcommand's --help: {r.stderr.strip()[:300]}")
    else:
        check(MAN_PAGE.exists(), f"{MAN_PAGE} installed")
    check(user_exists(), "user kronika created")
    if DATA_DIR.exists():
        st = DATA_DIR.stat()
        check(pwd.getpwuid(st.st_uid).pw_name == "kronika" and stat.S_IMODE(st.st_mode) == 0o750,
              f"{DATA_DIR} owned by kronika, mode 0750 (got {pwd.getpwuid(st.st_uid).pw_name} "
              f"{oct(stat.S_IMODE(st.st_mode))})")
    else:
        check(False, f"{DATA_DIR} created")


def verify_unit() -> None:
    r = run(["systemd-analyze", "verify", str(UNIT)], check_rc=False)
    check(r.returncode == 0 and not r.stderr.strip(),
          f"systemd-analyze verify {UNIT}: exit {r.returncode} {r.stderr.strip()[:500]}")
    # The offline score (systemd 250+) reads the hardening options as PID 1 would apply them;
    # 3.1 when written. Dropping or weakening an option raises it.
    r = run(["systemd-analyze", "security", "--offline=yes", "--no-pager", str(UNIT)], check_rc=False)
    level = None
    for line in r.stdout.splitlines():
        if "Overall exposure level" in line:
            level = float(line.split(":")[1].split()[0])
    check(level is not None and level <= 3.5,
          f"systemd-analyze security --offline: exposure {level} (at most 3.5) {r.stderr.strip()[:200]}")
    text = UNIT.read_text()
    for setting in ("Type=notify", f"ExecStart={BIN} serve --config {CONFIG}", "User=kronika",
                    "StateDirectory=kronika", "ConfigurationDirectory=kronika", "ProtectSystem=strict",
                    "ProtectHome=yes", "NoNewPrivileges=yes", "PrivateTmp=yes",
                    "ReadWritePaths=/var/lib/kronika", "RestrictAddressFamilies=", "LimitNOFILE=",
                    "TimeoutStopSec="):
        check(setting in text, f"the unit sets {setting}")
    r = run(as_kronika([str(BIN), "serve", "--config", str(CONFIG), "--check-config"]), check_rc=False,
            env=KRONIKA_ENV, cwd="/")
    check(r.returncode == 0 and 'data_dir = "/var/lib/kronika"' in r.stdout,
          f"kronika serve --check-config as kronika with {CONFIG}: exit {r.returncode} {r.stderr[-300:]}")


class NotifySocket:
    """What systemd gives a Type=notify service: a datagram socket named by $NOTIFY_SOCKET."""

    def __init__(self, work: Path):
        self.dir = Path(tempfile.mkdtemp(prefix="notify-", dir=work))
        os.chmod(work, 0o755)
        os.chmod(self.dir, 0o755)
        self.path = str(self.dir / "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        os.chmod(self.path, 0o666)  # the daemon runs as kronika
        self.messages: list[str] = []

    def wait_for(self, field: str, timeout_s: float) -> bool:
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            if any(field in m.split("\n") for m in self.messages):
                return True
            self.sock.settimeout(max(0.05, deadline - time.time()))
            try:
                self.messages.append(self.sock.recv(4096).decode(errors="replace"))
            except socket.timeout:
                pass
        return any(field in m.split("\n") for m in self.messages)

    def close(self) -> None:
        self.sock.close()


def query_recordings() -> list[dict]:
    """`kronika query --json` as kronika, the configuration found by itself."""
    r = run(as_kronika([str(BIN), "query", "--json"]), env=KRONIKA_ENV, cwd="/")
    return json.loads(r.stdout)["recordings"]


def record_a_call(work: Path) -> tuple[str, Path]:
    """`kronika init`, then runs the installed daemon, sends one call, stops it. Returns the
    recording id and file."""
    r = run(as_kronika([str(BIN), "init"]), check_rc=False, env=KRONIKA_ENV, cwd="/")
    check(r.returncode == 0 and (DATA_DIR / "db/data.mdb").exists(),
          f"kronika init as kronika makes the database in {DATA_DIR}: exit {r.returncode} {r.stderr[-300:]}")
    ports = h.PortAllocator(46000 + (os.getpid() % 50) * 40, span=2000)
    sip_port, http_port, rtp_base = ports.take(1), ports.take(1), ports.take(20)
    notify = NotifySocket(work)
    log_path = work / "kronika-installed.log"
    env = {**KRONIKA_ENV, "NOTIFY_SOCKET": notify.path}
    cmd = as_kronika([str(BIN), "serve", "--config", str(CONFIG), "--sip", f"127.0.0.1:{sip_port}",
                      "--http", f"127.0.0.1:{http_port}", "--rtp-ports", f"{rtp_base}-{rtp_base + 19}"])
    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd="/")
    try:
        ready = notify.wait_for("READY=1", 30)
        check(ready and proc.poll() is None, f"READY=1 on $NOTIFY_SOCKET (got {notify.messages})")
        if not ready:
            raise AssertionError(f"the installed daemon did not get ready:\n{log_path.read_text()[-3000:]}")
        check(not h.port_is_free(sip_port, kinds=(socket.SOCK_DGRAM,)), "the SIP socket is bound when READY=1 comes")
        check(any(f"STATUS=serving: SIP 127.0.0.1:{sip_port}" in m for m in notify.messages),
              "a STATUS= line names the SIP address")
        check(pwd.getpwuid(os.stat(f"/proc/{proc.pid}").st_uid).pw_name == "kronika", "the daemon runs as kronika")
        ready_page = h.http_get(f"http://127.0.0.1:{http_port}/readyz")
        check('"ready"' in ready_page, f"/readyz says ready: {ready_page[:200]}")

        h.make_tone_wav(str(work / "tone.wav"))
        sipp = h.run_sipp(SCENARIO, f"127.0.0.1:{sip_port}", work, ports, trace_msg=False, timeout_s=30)
        check(sipp.rc == 0, f"SIPp call against the installed daemon: exit {sipp.rc} {sipp.stdout[-500:]}")

        def finished():
            recs = query_recordings()
            return recs if recs and all(r.get("end_utc") for r in recs) else None
        recs = h.wait_for("the recording to be listed as finished by kronika query", finished, timeout=30)
        check(len(recs) == 1, f"kronika query as kronika lists one recording: {[r['recording_id'] for r in recs]}")
        rec = recs[0]
        check(rec["state"] == "completed", f"its state is completed: {rec['state']} ({rec.get('verdict')})")
        audio = DATA_DIR / rec["file_path"]
        check(audio.exists() and audio.stat().st_size > 1000, f"its file {audio} is in the data dir")
        if audio.exists():
            check(pwd.getpwuid(audio.stat().st_uid).pw_name == "kronika", "the recording is owned by kronika")

        pdf = work / "register.pdf"
        pdf_dir_mode = os.stat(work).st_mode
        os.chmod(work, 0o777)
        r = run(as_kronika([str(BIN), "register", "export", "--format", "pdf", "--out", str(pdf)]),
                check_rc=False, env=KRONIKA_ENV, cwd="/")
        os.chmod(work, stat.S_IMODE(pdf_dir_mode))
        check(r.returncode == 0 and pdf.exists() and pdf.read_bytes().startswith(b"%PDF"),
              f"kronika register export --format pdf runs the installed {PDF_HELPER}: exit {r.returncode} "
              f"{r.stderr[-300:]}")

        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(60)
        check(rc == 0, f"the daemon stops on SIGTERM with exit 0 (got {rc})")
        check(notify.wait_for("STOPPING=1", 1), f"STOPPING=1 on $NOTIFY_SOCKET (got {notify.messages})")
        return rec["recording_id"], audio
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
        notify.close()
        if failures:
            print(f"--- installed daemon log ---\n{log_path.read_text(errors='replace')[-6000:]}", flush=True)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def state_files() -> dict[str, str]:
    """sha256 of the database and every recording file under the data dir."""
    found = {}
    for p in [DATA_DIR / "db/data.mdb"] + sorted(DATA_DIR.glob("recordings/**/*.opus*")):
        if p.is_file():
            found[str(p)] = digest(p)
    return found


def main() -> int:
    if os.geteuid() != 0:
        h.skip("installs a .deb into this system: needs root")
    h.require_tools("cpack", "dpkg", "dpkg-deb", "systemd-analyze", "systemd-sysusers", "setpriv", "sipp", "sox")
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    lock = open(LOCK, "w")
    fcntl.flock(lock, fcntl.LOCK_EX)  # one install test at a time on this machine

    marker = preflight()
    work = h.make_tempdir("kronika-install-")
    try:
        deb = build_deb(work)
        MARKER.write_text(json.dumps(marker))
        run(["dpkg", "-i", str(deb)], env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        check_installed()
        verify_unit()
        rec_id, audio = record_a_call(work)

        before = state_files()
        check(str(DATA_DIR / "db/data.mdb") in before and str(audio) in before,
              f"database and recording on disk before dpkg -r: {sorted(before)}")
        run(["dpkg", "-r", PACKAGE])
        check(not BIN.exists() and not UNIT.exists() and not PDF_HELPER.exists(),
              "dpkg -r removes the program, the helper and the unit")
        check(CONFIG.exists(), f"dpkg -r keeps the configuration {CONFIG} (a conffile)")
        check(state_files() == before, "dpkg -r leaves the database and every recording unchanged")
        check(user_exists(), "dpkg -r keeps user kronika (the owner of the recordings)")

        run(["dpkg", "-i", str(deb)], env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        recs = query_recordings()
        check([r["recording_id"] for r in recs] == [rec_id],
              f"after installing again, kronika query lists the recording made before: {recs and recs[0]['recording_id']}")

        r = run(["dpkg", "--purge", PACKAGE])
        check(not CONFIG.exists(), f"dpkg --purge removes {CONFIG}")
        check(state_files() == before, "dpkg --purge also leaves the database and every recording in place")
        check("is kept" in r.stderr, f"dpkg --purge says that {DATA_DIR} is kept: {r.stderr.strip()[:300]}")
    except AssertionError as e:
        failures.append(str(e))
        print(f"FAIL {e}", flush=True)
    finally:
        tidy_up(marker)
        check(not package_status() and not DATA_DIR.exists() and not MARKER.exists(),
              "tidied up: package purged, data dir of the test removed")
        shutil.rmtree(work, ignore_errors=True)
        lock.close()
    if failures:
        print(f"{len(failures)} check(s) failed:\n  " + "\n  ".join(f[:300] for f in failures))
        return 1
    print("install: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
