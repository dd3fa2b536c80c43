#!/usr/bin/env python3
"""The SIP thread does no disk I/O while it answers INVITEs (issue 13 item 4).

The daemon runs under `strace -f -ff -y -ttt` with a site policy (reject do-not-record
callers with 603) and encryption at rest on (a master key: every recording gets a data key).
While the SIP thread answers
  - INVITEs from a number on the do-not-record list (603, CONSENT-3),
  - INVITEs from numbers not on it (200, recorded sealed, a second of RTP, BYE),
  - an INVITE right after `kronika dnr add` through the daemon's admin socket (603: the
    change counts for the very next INVITE) and one right after `kronika dnr remove` (200),
its thread (the process's main thread, comm "kronika"; the faults label is kr-sip) must make
no file-system syscall: no open/openat/creat, no write/pwrite/writev to a regular file, no
fsync/fdatasync/sync_file_range, no rename/unlink/mkdir/truncate. Writes to its stdout and
stderr (the log) and to sockets, eventfds and pipes are fine; strace -y names each fd. Opening
files under /proc and /sys is fine too: those are the kernel's in-memory file systems, no
disk behind them (the SIP thread's HeapReclaimer reads /proc/self/status after a flood).
Other threads (media workers, kr-keysync, the store writer) do the disk work.
"""
import glob
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "policy"))
from harness import (BIN, LOOPBACK, free_port, free_udp_tcp_port, rtp_range_base,  # noqa: E402
                     use_new_master_key, wait_for)
from policy_util import check, cli, failures, siprec_body, stored, write_site_config  # noqa: E402
from sip_client import Dialog, SipClient  # noqa: E402

SITE = """
[site]
id = "nodisk"
time_zone = "CET-1CEST,M3.5.0,M10.5.0/3"
[numbers]
country_code = "48"
national_number_length = 9
internal_ranges = [{ first = "200", last = "299" }]
extension_lengths = [3]
[scope]
incoming = true
outgoing = true
internal = false
not_recorded = "reject"
reject_status = 603
[hours]
always = true
[consent]
incoming = "announcement"
outgoing = "employee-statement"
internal = "unknown"
[retention]
months = 3
"""

LISTED = "+48221234567"    # on the list before the start
UNLISTED = "+48601000111"  # recorded
LATE = "+48601000222"      # listed and unlisted while the daemon runs

# Syscalls that touch the file system. write-like calls count only on regular files.
FS_SYSCALLS = {"open", "openat", "openat2", "creat", "fsync", "fdatasync", "sync_file_range", "syncfs",
               "rename", "renameat", "renameat2", "unlink", "unlinkat", "rmdir", "mkdir", "mkdirat",
               "truncate", "ftruncate", "link", "linkat", "symlink", "symlinkat", "fallocate"}
WRITE_SYSCALLS = {"write", "pwrite64", "writev", "pwritev", "pwritev2"}
LINE = re.compile(r"^(\d+\.\d+) (\w+)\((.*)$")
FD_ARG = re.compile(r"^(\d+)<([^>]*)>")


def send_rtp(answer_body, seconds=1.0):
    """PCMU silence to every port of the answer, 20 ms apart (the media workers seal it)."""
    ports = [int(p) for p in re.findall(r"m=audio (\d+) ", answer_body)]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ssrc = 0x1000
    for seq in range(int(seconds * 50)):
        for i, port in enumerate(ports):
            header = struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, seq * 160, ssrc + i)
            sock.sendto(header + b"\xff" * 160, (LOOPBACK, port))
        time.sleep(0.02)
    sock.close()


def call(port, caller, record):
    """One INVITE; for a recorded one ACK, RTP and BYE. Returns the final status (0: none)."""
    client = SipClient("udp", LOOPBACK, port)
    try:
        dialog = Dialog(client)
        body, content_type = siprec_body(caller, "200")
        responses = dialog.invite(body, content_type)
        final = responses[-1] if responses else None
        if final is None:
            return 0
        dialog.ack(final)
        if final.status == 200 and record:
            send_rtp(final.body if isinstance(final.body, str) else final.body.decode(errors="replace"))
            dialog.bye()
        return final.status
    finally:
        client.close()


def process_gone(pid, timeout=10.0):
    """True once `pid` has exited (gone, or a zombie waiting for its new parent)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with open(f"/proc/{pid}/status") as f:
                if "zombie" in f.read().lower():
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.1)
    return False


def daemon_pid(strace_pid):
    """kronika, the child strace started."""
    def child():
        try:
            with open(f"/proc/{strace_pid}/task/{strace_pid}/children") as f:
                kids = f.read().split()
            return int(kids[0]) if kids else None
        except OSError:
            return None
    return wait_for("kronika under strace", child, timeout=10)


def sip_thread_tid(pid):
    """The SIP thread runs su_root on the process's main thread (it keeps the process name)."""
    with open(f"/proc/{pid}/task/{pid}/comm") as f:
        comm = f.read().strip()
    names = {}
    for task in glob.glob(f"/proc/{pid}/task/*"):
        try:
            with open(os.path.join(task, "comm")) as f:
                names[int(os.path.basename(task))] = f.read().strip()
        except OSError:
            pass
    print(f"threads: {sorted(set(names.values()))}")
    return pid if comm == "kronika" else None


def fs_calls(trace_file, start, end, log_path):
    """The SIP thread's file-system syscalls in [start, end] (epoch seconds)."""
    found = []
    with open(trace_file, errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            at, name, rest = float(m.group(1)), m.group(2), m.group(3)
            if not start <= at <= end:
                continue
            if name in FS_SYSCALLS:
                if re.search(r'"/(proc|sys)/', rest) and name in ("open", "openat", "openat2"):
                    continue  # procfs / sysfs: kernel memory, no disk
                found.append(line.strip())
            elif name in WRITE_SYSCALLS:
                fd = FD_ARG.match(rest)
                target = fd.group(2) if fd else ""
                number = int(fd.group(1)) if fd else -1
                # The log (stdout/stderr, here the harness's log file) is fine; any other
                # path, i.e. a regular file, is not. Sockets, pipes, eventfds are not paths.
                if number in (1, 2) or target == log_path or not target.startswith("/"):
                    continue
                found.append(line.strip())
    return found


def main():
    if not shutil.which("strace"):
        print("SKIP: strace not installed")
        return 77
    work = tempfile.mkdtemp(prefix="kronika-nodisk-")
    keys_dir = use_new_master_key()  # SEC-1: every recording gets a data key
    config = write_site_config(work, "nodisk", SITE)
    data_dir = os.path.join(work, "nodisk", "data")
    os.makedirs(data_dir, exist_ok=True)
    code, out = cli("init", "--data-dir", data_dir)
    check(code == 0, "kronika init: " + out.strip())
    code, out = cli("dnr", "add", LISTED, "--by", "iod", "--reason", "objection", "--config", config)
    check(code == 0, "dnr add with the daemon stopped: " + out.strip())

    sip_port, http_port = free_udp_tcp_port(), free_port()
    rtp = rtp_range_base(100, avoid=(sip_port, http_port), spread=sip_port)
    log_path = os.path.join(work, "kronika.log")
    trace_prefix = os.path.join(work, "trace")
    args = ["strace", "-f", "-ff", "-y", "-ttt", "-qq", "-o", trace_prefix,
            BIN, "serve", "--config", config, "--sip", f"{LOOPBACK}:{sip_port}",
            "--http", f"127.0.0.1:{http_port}", "--rtp-ports", f"{rtp}-{rtp + 99}"]
    log = open(log_path, "a")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    pid = None
    try:
        pid = daemon_pid(proc.pid)
        wait_for("kronika serving", lambda: "kronika serving" in open(log_path, errors="replace").read(),
                 timeout=60)
        tid = sip_thread_tid(pid)
        check(tid is not None, f"the SIP thread is the main thread of {pid} (comm kronika)")
        time.sleep(0.5)  # the start's last I/O on the main thread is behind us

        start = time.time()
        statuses = []
        for _ in range(3):
            statuses.append(("listed", call(sip_port, LISTED, False)))
            statuses.append(("unlisted", call(sip_port, UNLISTED, True)))
        code, out = cli("dnr", "add", LATE, "--by", "iod", "--reason", "objection", "--config", config)
        check(code == 0, "dnr add through the running daemon: " + out.strip())
        statuses.append(("just listed", call(sip_port, LATE, True)))
        code, out = cli("dnr", "remove", LATE, "--config", config)
        check(code == 0, "dnr remove through the running daemon: " + out.strip())
        statuses.append(("just unlisted", call(sip_port, LATE, True)))
        # The recorded calls end on the SIP thread too (media events, final snapshots).
        wait_for("4 recordings completed", lambda: len([r for r in stored(data_dir)
                                                        if r.get("state") == "completed"]) >= 4, timeout=30)
        end = time.time()

        for what, status in statuses:
            want = 603 if what in ("listed", "just listed") else 200
            check(status == want, f"CONSENT-3: an INVITE from a {what} number gets {want} (got {status})")
        keys = glob.glob(os.path.join(data_dir, "access", "keys", "*.dek"))
        check(len(keys) == 4, f"SEC-1: one data key file per recording, written off the SIP thread ({len(keys)})")
        sealed = glob.glob(os.path.join(data_dir, "recordings", "**", "*.kenc"), recursive=True)
        check(len(sealed) == 4, f"SEC-1: 4 sealed recordings ({len(sealed)})")

        trace_file = f"{trace_prefix}.{tid}"
        check(os.path.exists(trace_file), f"strace wrote the SIP thread's trace {trace_file}")
        calls = fs_calls(trace_file, start, end, log_path) if os.path.exists(trace_file) else ["(no trace)"]
        for line in calls[:20]:
            print("   SIP thread: " + line)
        check(not calls, f"the SIP thread made no file-system syscall while answering INVITEs ({len(calls)})")
        check(proc.poll() is None, "the daemon is still running")
    finally:
        # SIGTERM to strace would only detach it and leave the daemon running (holding its
        # ports for the tests after this one): stop the daemon, and strace ends with it.
        if proc.poll() is None:
            stop_pid = pid if pid is not None else proc.pid
            try:
                os.kill(stop_pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                if pid is not None:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                proc.kill()
                proc.wait()
        if pid is not None:
            check(process_gone(pid), f"the daemon ({pid}) ended with the test")
        log.close()
        os.environ.pop("KRONIKA_MASTER_KEY_FILE", None)
        shutil.rmtree(keys_dir, ignore_errors=True)
    if failures:
        print(open(log_path, errors="replace").read()[-3000:])
        print(f"{len(failures)} check(s) failed")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
