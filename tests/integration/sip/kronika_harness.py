"""Shared helpers for Kronika's SIP integration tests (stdlib only).

Starts `kronika serve` on free loopback ports with a throw-away data dir, runs SIPp
scenarios against it and keeps every log a failing test should print. Used by
tests/integration/sip/run_sip_tests.py, interop/corpus/run_corpus.py and bench/sip_bench.py.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

LOOPBACK = "127.0.0.1"


def env_path(name: str, default: str | None = None) -> Path | None:
    value = os.environ.get(name, default)
    return Path(value) if value else None


def _port_is_free(port: int) -> bool:
    """True when `port` can be bound on loopback for both UDP and TCP."""
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind((LOOPBACK, port))
        except OSError:
            return False
        finally:
            s.close()
    return True


class PortAllocator:
    """Hands out free ports from [base, base+span); each test gets its own base so parallel
    ctest entries never collide, and every port is also probed (other build dirs may be
    running tests at the same time). Ports handed out stay reserved until release(); the
    allocator wraps around to reuse released ones. Thread-safe."""

    def __init__(self, base: int, span: int = 2000):
        self._base = base
        self._next = base
        self._end = base + span
        self._reserved: set[int] = set()
        self._lock = threading.Lock()

    def take(self, count: int = 1) -> int:
        """Returns the first of `count` consecutive free ports."""
        with self._lock:
            for _ in range((self._end - self._base) * 2):
                if self._next + count > self._end:
                    self._next = self._base
                first = self._next
                block = range(first, first + count)
                if any(p in self._reserved for p in block):
                    self._next += 1
                    continue
                self._next += count
                if all(_port_is_free(p) for p in block):
                    self._reserved.update(block)
                    return first
        raise RuntimeError("no free port block left in the allocator's range")

    def release(self, first: int, count: int = 1) -> None:
        with self._lock:
            self._reserved.difference_update(range(first, first + count))


def sip_options_ping(port: int, timeout_s: float = 0.5, transport: str = "udp") -> str | None:
    """Sends one OPTIONS to the server; returns the status line or None."""
    branch = "z9hG4bK" + uuid.uuid4().hex[:16]
    call_id = uuid.uuid4().hex
    if transport == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((LOOPBACK, 0))
    else:
        s = socket.create_connection((LOOPBACK, port), timeout=timeout_s)
    try:
        lport = s.getsockname()[1]
        via = "UDP" if transport == "udp" else "TCP"
        msg = (f"OPTIONS sip:srs@{LOOPBACK}:{port} SIP/2.0\r\n"
               f"Via: SIP/2.0/{via} {LOOPBACK}:{lport};branch={branch};rport\r\n"
               f"From: <sip:probe@{LOOPBACK}>;tag=probe\r\n"
               f"To: <sip:srs@{LOOPBACK}:{port}>\r\n"
               f"Call-ID: {call_id}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
               f"Content-Length: 0\r\n\r\n").encode()
        s.settimeout(timeout_s)
        if transport == "udp":
            s.sendto(msg, (LOOPBACK, port))
            data, _ = s.recvfrom(65535)
        else:
            s.sendall(msg)
            data = s.recv(65535)
        return data.decode(errors="replace").split("\r\n", 1)[0]
    except OSError:
        return None
    finally:
        s.close()


class KronikaServer:
    """One `kronika serve` process on its own ports and data dir.

    config: extra TOML text appended to the generated config (for example
    "[sip]\nmax_sessions = 1\n"). The server's stdout+stderr go to `log_path`."""

    def __init__(self, binary: Path, workdir: Path, ports: PortAllocator, config: str = "",
                 rtp_port_count: int = 200, taskset_cpu: str | None = None):
        self.binary = binary
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._ports = ports
        self._rtp_count = rtp_port_count
        self.sip_port = ports.take(1)
        self.http_port = ports.take(1)
        self.rtp_min = ports.take(rtp_port_count)
        self.rtp_max = self.rtp_min + rtp_port_count - 1
        self.data_dir = workdir / "data"
        self.data_dir.mkdir(exist_ok=True)
        self.config_path = workdir / "kronika.toml"
        self.config_path.write_text(config)
        self.log_path = workdir / "server.log"
        self.taskset_cpu = taskset_cpu
        self.proc: subprocess.Popen | None = None

    @property
    def sip_addr(self) -> str:
        return f"{LOOPBACK}:{self.sip_port}"

    def command(self) -> list[str]:
        cmd = [str(self.binary), "serve", "--config", str(self.config_path),
               "--data-dir", str(self.data_dir), "--sip", self.sip_addr,
               "--http", f"{LOOPBACK}:{self.http_port}",
               "--rtp-ports", f"{self.rtp_min}-{self.rtp_max}"]
        if self.taskset_cpu is not None:
            cmd = ["taskset", "-c", self.taskset_cpu] + cmd
        return cmd

    def start(self, ready_timeout_s: float = 20.0) -> None:
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                     cwd=self.workdir)
        log.close()
        deadline = time.monotonic() + ready_timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"kronika serve exited with {self.proc.returncode} at start:\n"
                                   + self.log_text())
            if sip_options_ping(self.sip_port):
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("kronika serve did not answer OPTIONS within "
                           f"{ready_timeout_s:.0f} s:\n" + self.log_text())

    def stop(self, timeout_s: float = 10.0) -> int | None:
        """SIGTERM, wait, SIGKILL as last resort. Returns the exit code. The ports go back
        to the allocator."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._ports is not None:
            self._ports.release(self.sip_port)
            self._ports.release(self.http_port)
            self._ports.release(self.rtp_min, self._rtp_count)
            self._ports = None
        return self.proc.returncode

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_text(self, tail_chars: int = 12000) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return text[-tail_chars:]

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


def make_alaw_tone(path: Path, seconds: float = 3.0) -> None:
    """G.711 A-law mono 8 kHz WAV for SIPp rtp_stream (made with sox)."""
    if path.exists():
        return
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-e", "a-law", str(path),
                    "synth", str(seconds), "sine", "440", "vol", "0.5"], check=True)


def sipp_binary() -> str | None:
    return shutil.which("sipp")


class SippResult:
    def __init__(self, rc: int, workdir: Path, stdout: str, scenario: str, elapsed_s: float):
        self.rc = rc
        self.workdir = workdir
        self.stdout = stdout
        self.scenario = scenario
        self.elapsed_s = elapsed_s

    def logs(self, tail_chars: int = 8000) -> str:
        """Error and message traces SIPp left in its working dir."""
        out = []
        for f in sorted(self.workdir.glob("*_errors.log")) + sorted(
                self.workdir.glob("*_messages.log")):
            text = f.read_text(errors="replace")
            out.append(f"--- {f.name} ---\n{text[-tail_chars:]}")
        return "\n".join(out)

    def messages(self) -> str:
        return "\n".join(f.read_text(errors="replace")
                         for f in sorted(self.workdir.glob("*_messages.log")))


def run_sipp(scenario: Path, server_addr: str, workdir: Path, ports: PortAllocator,
             transport: str = "u1", calls: int = 1, extra: list[str] | None = None,
             timeout_s: int = 60, trace_msg: bool = True,
             local_port: int | None = None, media_port: int | None = None,
             popen: bool = False):
    """Runs one SIPp UAC instance in `workdir` (relative media paths resolve there).

    Returns SippResult (or the Popen + a finisher when popen=True, for paired runs)."""
    workdir.mkdir(parents=True, exist_ok=True)
    lport = local_port or ports.take(1)
    mport = media_port or ports.take(4)
    cmd = [sipp_binary() or "sipp", server_addr, "-sf", str(scenario), "-m", str(calls),
           "-i", LOOPBACK, "-p", str(lport), "-mp", str(mport), "-t", transport,
           "-timeout", f"{timeout_s}s", "-timeout_error", "-trace_err",
           "-nostdin"]
    if trace_msg:
        cmd.append("-trace_msg")
    cmd += extra or []
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=workdir, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def finish() -> SippResult:
        try:
            out, _ = proc.communicate(timeout=timeout_s + 30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        if local_port is None:
            ports.release(lport)
        if media_port is None:
            ports.release(mport, 4)
        return SippResult(proc.returncode, workdir, out.decode(errors="replace"),
                          scenario.name, time.monotonic() - started)

    if popen:
        return proc, finish
    return finish()


def responses_in_trace(messages: str) -> list[tuple[int, str]]:
    """(status, CSeq method) of every SIP response SIPp received, in order."""
    found = []
    for block in re.split(r"-{10,} [^\n]*\n", messages):
        # SIPp -trace_msg blocks start with "UDP message received [N] bytes :" etc.
        m = re.search(r"message received \[\d+\] bytes :\s*\n+SIP/2\.0 (\d{3})[^\n]*\n(.*)",
                      block, re.S)
        if not m:
            continue
        cseq = re.search(r"^CSeq:\s*\d+\s+(\S+)", m.group(2), re.M | re.I)
        found.append((int(m.group(1)), cseq.group(1).upper() if cseq else "?"))
    return found


def skip(message: str) -> None:
    """ctest treats exit code 77 as skipped (SKIP_RETURN_CODE)."""
    print(f"SKIPPED: {message}")
    sys.exit(77)


def require_tools(*tools: str) -> None:
    for tool in tools:
        if shutil.which(tool) is None:
            skip(f"'{tool}' is not installed")


def kronika_binary() -> Path:
    binary = env_path("KRONIKA_BIN")
    if binary is None or not binary.exists():
        skip("KRONIKA_BIN is not set or does not exist (run through ctest)")
    return binary


def make_tempdir(prefix: str) -> Path:
    root = env_path("KRONIKA_TEST_TMP")
    return Path(tempfile.mkdtemp(prefix=prefix, dir=str(root) if root else None))
