"""The one harness for Kronika's Python integration tests (stdlib only).

Starts `kronika serve` on its own SIP/HTTP/RTP ports with a throw-away data dir (class
Kronika), polls it, reads its metrics, runs SIPp scenarios against it and keeps the logs a
failing test should print. Used by every tests/integration/<group>/ script,
interop/corpus/run_corpus.py and bench/sip_bench.py. Exit code 77 = skipped (skip()).
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
import urllib.request
import uuid
from pathlib import Path

SOURCE = os.environ.get("KRONIKA_SOURCE", os.path.abspath(os.path.join(os.path.dirname(__file__), "../..")))
BIN = os.environ.get("KRONIKA_BIN", os.path.join(SOURCE, "build/srs/kronika"))
SHARED = os.environ.get("KRONIKA_SHARED", os.path.abspath(os.path.join(SOURCE, "../shared")))
LOOPBACK = "127.0.0.1"


def env_path(name: str, default: str | None = None) -> Path | None:
    value = os.environ.get(name, default)
    return Path(value) if value else None


# --- ports ---------------------------------------------------------------------------

def port_is_free(port: int, host: str = LOOPBACK, kinds=(socket.SOCK_DGRAM, socket.SOCK_STREAM)) -> bool:
    """True when `port` can be bound on `host` for every socket kind in `kinds`."""
    for kind in kinds:
        s = socket.socket(family_of(host), kind)
        try:
            s.bind((host, port))
        except OSError:
            return False
        finally:
            s.close()
    return True


def family_of(host: str) -> int:
    """AF_INET6 for an IPv6 literal ("::1"), else AF_INET."""
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def host_port(host: str, port: int) -> str:
    """"127.0.0.1:5060" / "[::1]:5060"."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def free_port(kind=socket.SOCK_STREAM, host=LOOPBACK):
    """A port the kernel hands out as free for `kind` (ephemeral range)."""
    with socket.socket(family_of(host), kind) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def free_udp_tcp_port(host=LOOPBACK):
    """A port free for both UDP and TCP on host (kronika listens on both)."""
    for _ in range(100):
        port = free_port(socket.SOCK_DGRAM, host)
        if port_is_free(port, host, (socket.SOCK_STREAM,)):
            return port
    raise RuntimeError("no free UDP+TCP port")


def ephemeral_port_range() -> tuple[int, int]:
    """The kernel's ephemeral (bind-to-0) port range, where free_port() picks from."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(x) for x in f.read().split())
            return low, high
    except (OSError, ValueError):
        return 32768, 60999


def rtp_range_base(count: int, avoid=(), spread: int = 0) -> int:
    """An even first port for `count` RTP ports, spread by pid so parallel tests rarely share
    one (`spread`, e.g. the SIP port, tells two nodes of one test apart). The range lies above
    the PortAllocator bases the SIP tests use (8000-20000) and below the ephemeral range the
    SIP/HTTP ports come from, and never holds a port in `avoid`: kronika refuses an RTP range
    holding its SIP or HTTP port, which once failed CI when an ephemeral HTTP port fell in it."""
    low, high = 20000, ephemeral_port_range()[0]
    if high - low < count + 2:  # an unusual kernel setting: use the ports above it instead
        low, high = ephemeral_port_range()[1] + 1, 65535
    slots = max(1, (high - low - count) // 2)
    start = (os.getpid() * 37 + spread) % slots
    for i in range(slots):
        base = low + (start + i) % slots * 2
        if not any(base <= p < base + count for p in avoid):
            return base
    raise RuntimeError(f"no RTP range of {count} ports avoids {avoid}")


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
                if all(port_is_free(p) for p in block):
                    self._reserved.update(block)
                    return first
        raise RuntimeError("no free port block left in the allocator's range")

    def release(self, first: int, count: int = 1) -> None:
        with self._lock:
            self._reserved.difference_update(range(first, first + count))


# --- polling and metrics ---------------------------------------------------------------

def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return resp.read().decode()


# The first line of a sanitizer report (build-tsan/ runs the daemon and kronika-loadgen under
# ThreadSanitizer; ./dev test, issue 13 item 4). TSAN_OPTIONS (tests/integration/CMakeLists.txt)
# makes the first report end the process with exit code 66.
SANITIZER_REPORT_MARKERS = ("WARNING: ThreadSanitizer:", "ERROR: ThreadSanitizer:",
                            "ERROR: AddressSanitizer:", "ERROR: LeakSanitizer:")


def sanitizer_report(text: str, max_chars: int = 30000) -> str | None:
    """The sanitizer report(s) in a process's output, from the first report's banner line to
    the last SUMMARY line; None when there is none."""
    starts = [i for i in (text.find(m) for m in SANITIZER_REPORT_MARKERS) if i >= 0]
    if not starts:
        return None
    begin = text.rfind("\n", 0, min(starts)) + 1
    end = text.rfind("SUMMARY: ")
    if end < begin:
        end = len(text)  # cut short (the process was killed while writing it)
    elif (eol := text.find("\n", end)) >= 0:
        end = eol
    else:
        end = len(text)
    report = text[begin:end]
    if len(report) > max_chars:
        report = report[:max_chars] + f"\n[... {len(report) - max_chars} more characters of the report]"
    return report


TSAN_EXIT_CODE = 66  # TSAN_OPTIONS exitcode= (tests/integration/CMakeLists.txt)


class SanitizerReport(AssertionError):
    """A process of the test reported a data race (or another sanitizer error)."""


def append_event(data_dir, count=1, rec="rec-1", kind="recording.finished", node="kr-test") -> int:
    """Commits `count` events to the outbox of `data_dir` from a second process, beside a
    daemon or without one (kronika-test-append-event, $KRONIKA_APPEND_EVENT); the last seq."""
    tool = os.environ.get("KRONIKA_APPEND_EVENT", "")
    r = subprocess.run([tool, str(data_dir), node, kind, rec, str(count)], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"append event: {r.stderr.strip()}")
    return int(r.stdout.strip())


def wait_for(what, fn, timeout=30, interval=0.2):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            value = fn()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 - keep polling until the deadline
            last = e
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} (last error: {last})")


def metric_value(text, name, labels=None):
    """Sum of the samples of `name` whose labels include `labels` in a /metrics page."""
    total, found = 0.0, False
    for line in text.splitlines():
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)", line)
        if not m or m.group(1) != name:
            continue
        got = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        if labels and any(got.get(k) != v for k, v in labels.items()):
            continue
        total += float(m.group(3))
        found = True
    return total if found else None


def thread_cpu_seconds(pid: int) -> dict[str, float]:
    """CPU seconds (user + system) of each thread of process `pid`, summed by thread name;
    the main thread is reported as "main" (in `kronika serve` it is the SIP thread)."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # the thread ended meanwhile
        fields = stat.rsplit(")", 1)[1].split()
        name = "main" if tid == str(pid) else stat[stat.index("(") + 1:stat.rindex(")")]
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out


def sip_options_ping(port: int, timeout_s: float = 0.5, transport: str = "udp",
                     host: str = LOOPBACK) -> str | None:
    """Sends one OPTIONS to the server; returns the status line or None."""
    branch = "z9hG4bK" + uuid.uuid4().hex[:16]
    call_id = uuid.uuid4().hex
    if transport == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((host, 0))
    else:
        s = socket.create_connection((host, port), timeout=timeout_s)
    try:
        lport = s.getsockname()[1]
        via = "UDP" if transport == "udp" else "TCP"
        msg = (f"OPTIONS sip:srs@{host}:{port} SIP/2.0\r\n"
               f"Via: SIP/2.0/{via} {host}:{lport};branch={branch};rport\r\n"
               f"From: <sip:probe@{host}>;tag=probe\r\n"
               f"To: <sip:srs@{host}:{port}>\r\n"
               f"Call-ID: {call_id}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
               f"Content-Length: 0\r\n\r\n").encode()
        s.settimeout(timeout_s)
        if transport == "udp":
            s.sendto(msg, (host, port))
            data, _ = s.recvfrom(65535)
        else:
            s.sendall(msg)
            data = s.recv(65535)
        return data.decode(errors="replace").split("\r\n", 1)[0]
    except OSError:
        return None
    finally:
        s.close()


# --- the daemon ------------------------------------------------------------------------

class Kronika:
    """`kronika serve` on its own SIP/HTTP/RTP ports and data dir (`work`/data).

    ports: a PortAllocator to take the SIP, HTTP and RTP ports from (the SIP groups run side
      by side, each in its own range); None: free ephemeral SIP/HTTP ports and an RTP range
      of `rtp_ports` above 20000.
    config: TOML text written to `work`/kronika.toml and passed with --config ("" = none).
    extra_args: more `kronika serve` arguments. taskset_cpu: pin the server ("0", "1-2").
    The server's stdout+stderr go to `log_path` (appended across restarts)."""

    def __init__(self, sip_host=LOOPBACK, rtp_ports=20, extra_args=(), work=None, *,
                 config: str = "", ports: PortAllocator | None = None, binary=None,
                 taskset_cpu: str | None = None):
        self.work = str(work or tempfile.mkdtemp(prefix="kronika-it-"))
        os.makedirs(self.work, exist_ok=True)
        self.sip_host = sip_host
        self.binary = str(binary or BIN)
        self._ports = ports
        self._rtp_count = rtp_ports
        if ports is not None:
            self.sip_port = ports.take(1)
            self.http_port = ports.take(1)
            base = ports.take(rtp_ports)
        else:
            self.sip_port = free_udp_tcp_port(sip_host)
            self.http_port = free_port()
            base = rtp_range_base(rtp_ports, avoid=(self.sip_port, self.http_port),
                                  spread=self.sip_port)
        self.rtp_range = (base, base + rtp_ports - 1)
        self.data_dir = os.path.join(self.work, "data")
        self.log_path = os.path.join(self.work, f"kronika-{self.sip_port}.log")
        self.args = [self.binary, "serve", "--data-dir", self.data_dir,
                     "--sip", host_port(sip_host, self.sip_port),
                     "--http", f"127.0.0.1:{self.http_port}",
                     "--rtp-ports", f"{self.rtp_range[0]}-{self.rtp_range[1]}", *extra_args]
        if config:
            self.config_path = os.path.join(self.work, "kronika.toml")
            with open(self.config_path, "w") as f:
                f.write(config)
            self.args += ["--config", self.config_path]
        if taskset_cpu is not None:
            self.args = ["taskset", "-c", taskset_cpu] + self.args
        self.proc = None

    @property
    def sip_addr(self) -> str:
        return host_port(self.sip_host, self.sip_port)

    @property
    def rtp_min(self) -> int:
        return self.rtp_range[0]

    @property
    def rtp_max(self) -> int:
        return self.rtp_range[1]

    def start(self, ready_timeout_s: float = 30):
        os.makedirs(self.data_dir, exist_ok=True)
        with open(self.log_path, "a") as log:
            self._log_start = log.tell()  # this run's output begins here (the log is appended)
            self.proc = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT, cwd=self.work)
        try:
            wait_for(f"kronika on {self.sip_addr}", self.ready, timeout=ready_timeout_s, interval=0.1)
        except AssertionError:
            self.stop()
            raise
        return self

    def ready(self):
        """HTTP answers /metrics and the SIP socket is bound (datagrams and connections sent
        from now on are queued even if the SIP loop is a moment from running). No SIP
        request is sent, so tests see exact SIP counters."""
        if self.proc.poll() is not None:
            self.check_sanitizer_report()
            raise AssertionError(f"kronika exited with {self.proc.returncode}:\n{self.log_tail()}")
        return "kronika_build_info" in self.metrics() and not port_is_free(
            self.sip_port, self.sip_host, (socket.SOCK_DGRAM,))

    def metrics(self):
        return http_get(f"http://127.0.0.1:{self.http_port}/metrics")

    def metric(self, name, labels=None):
        return metric_value(self.metrics(), name, labels)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, chars=4000):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-chars:]
        except OSError:
            return ""

    def log_text(self, tail_chars: int = 12000) -> str:
        return self.log_tail(tail_chars) or "(no server log)"

    def run_output(self) -> str:
        """What the server wrote since its last start()."""
        try:
            with open(self.log_path, errors="replace") as f:
                f.seek(getattr(self, "_log_start", 0))
                return f.read()
        except OSError:
            return ""

    def check_sanitizer_report(self) -> None:
        """Raises SanitizerReport with the report's text when the server's output since its
        last start() holds one (a TSan build: tests/integration/CMakeLists.txt)."""
        output = self.run_output()
        report = sanitizer_report(output)
        code = self.proc.poll() if self.proc else None
        if report is not None:
            raise SanitizerReport(f"kronika (log {self.log_path}, exit code {code}) reported:\n{report}")
        if code == TSAN_EXIT_CODE and "TSAN_OPTIONS" in os.environ:
            raise SanitizerReport(f"kronika exited with {code}, TSan's exit code for a report, but its log "
                                  f"({self.log_path}) holds none; its end:\n{output[-4000:]}")

    def stop(self, sig=None, timeout_s: float = 15):
        """`sig` (default SIGTERM), wait, SIGKILL as last resort. Returns the exit code.
        Ports taken from a PortAllocator go back to it."""
        if self.proc and self.proc.poll() is None:
            if sig:
                self.proc.send_signal(sig)
            else:
                self.proc.terminate()
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._ports is not None:
            self._ports.release(self.sip_port)
            self._ports.release(self.http_port)
            self._ports.release(self.rtp_range[0], self._rtp_count)
            self._ports = None
        # A sanitizer report ends the test here whatever else it checked: in the TSan build a
        # race in the daemon would otherwise show only as a crash or a wrong count.
        self.check_sanitizer_report()
        return self.proc.returncode if self.proc else None

    def init_data_dir(self):
        """`kronika init`: the databases of the data dir, so that the CLI can set up users,
        tokens or holds before the first start (the CLI refuses a dir without them)."""
        r = subprocess.run([self.binary, "init", "--data-dir", self.data_dir], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"kronika init --data-dir {self.data_dir}: {r.stderr.strip()}")
        return self

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def use_new_master_key() -> str:
    """SEC-1: writes a random master key (64 hex digits) into a new temp dir, outside any
    data dir as the daemon requires, and exports KRONIKA_MASTER_KEY_FILE for the daemons and
    CLI runs started afterwards. Returns that dir (the caller removes it)."""
    keys_dir = tempfile.mkdtemp(prefix="kronika-keys-")
    master = os.path.join(keys_dir, "master.key")
    with open(master, "w") as f:
        f.write(os.urandom(32).hex() + "\n")
    os.environ["KRONIKA_MASTER_KEY_FILE"] = master
    return keys_dir


# --- media and SIPp --------------------------------------------------------------------

def make_tone_wav(path, seconds=2, hz=440):
    """G.711 u-law mono 8 kHz WAV (sox)."""
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-e", "u-law", path,
                    "synth", str(seconds), "sine", str(hz)], check=True)


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
