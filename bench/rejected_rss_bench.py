#!/usr/bin/env python3
"""Memory held by refused INVITEs: does RSS come back after a flood? (issue 12 item 2)

A fresh `kronika serve` is sent `--invites` INVITEs over UDP from 127.0.0.1 and 127.0.0.2 that it must
refuse, and none of them is ACKed (the worst case: sofia-sip keeps each refused server
transaction, answer retransmissions included, until Timer H, 64*T1 = 32 s). Kinds
(`--kind`):
  source     a well-formed SIPREC INVITE from 127.0.0.2, outside `sip.allowed_sources`
             (the bench configures allowed_sources = ["127.0.0.1/32"]): 403, refused at the
             SIP edge before the session logic;
  malformed  from 127.0.0.1, allowed, bodies the session logic refuses (broken multipart,
             SDP that does not parse, a NUL byte in a part header, 101 m-lines, no usable
             codec), in rotation: 400/415/488;
  both       half of each, interleaved.
The sender keeps at most `--window` INVITEs unanswered (closed loop, so no datagram is lost
in a socket buffer and every one of them becomes a transaction) and, with `--rate`, no more
than that many a second.

It samples the server's RSS (/proc/PID/status VmRSS) every `--sample-s` seconds: idle
(before the first INVITE), peak, and after the burst settles (`--settle-s` after the last
answer, default 60 s: Timer H, 32 s, plus the reclaimer's 5 s check and a margin), and
scrapes the server's own view of its heap at those three moments (kronika_process_heap_*,
where the build exports them: bytes in use, free bytes kept, trims).

Pass = RSS after settling within 20 MB of idle, every INVITE answered with the expected
4xx, the server alive. Results to `--out` (JSON).

  python3 bench/rejected_rss_bench.py --build build --invites 100000 --out /tmp/rejected_rss.json
Only loopback addresses are used.
"""
import argparse
import json
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

from malformed_sip import malformed_shapes, multipart
from server_probe import proc_status, scrape

SIP_PORT, HTTP_PORT = 47760, 47761
RSS_LIMIT_MB = 20
EXPECTED = {"source": {403}, "malformed": {400, 415, 488}}

SDP = ("v=0\r\no=SRC 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       "m=audio 40000 RTP/AVP 0\r\na=label:1\r\na=sendonly\r\n"
       "m=audio 40002 RTP/AVP 0\r\na=label:2\r\na=sendonly\r\n")
META = ("<?xml version='1.0' encoding='UTF-8'?>\r\n"
        "<recording xmlns='urn:ietf:params:xml:ns:recording:1'><datamode>complete</datamode>"
        "<session session_id='UAAAAAAAAAAAAAAAAAAAAA=='><sipSessionID>bench</sipSessionID></session>"
        "<participant participant_id='QQAAAAAAAAAAAAAAAAAAAA=='><nameID aor='sip:alice@example.org'/>"
        "</participant>"
        "<stream stream_id='UwAAAAAAAAAAAAAAAAAAAA==' session_id='UAAAAAAAAAAAAAAAAAAAAA=='>"
        "<label>1</label></stream>"
        "</recording>\r\n")
CTYPE = "multipart/mixed;boundary=b1"


def invite(body, local_ip, local_port, n):
    call_id = f"rss-{n}-{uuid.uuid4().hex[:12]}"
    head = (f"INVITE sip:srs@127.0.0.1:{SIP_PORT} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {local_ip}:{local_port};branch=z9hG4bK{uuid.uuid4().hex[:16]};rport\r\n"
            f"From: <sip:src@127.0.0.1>;tag=r{n}\r\nTo: <sip:srs@127.0.0.1>\r\nCall-ID: {call_id}\r\n"
            f"CSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContact: <sip:src@{local_ip}:{local_port}>;+sip.src\r\n"
            f"Require: siprec\r\nAccept: application/sdp, application/rs-metadata\r\n"
            f"Content-Type: {CTYPE}\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body, call_id


def server_view(port):
    """The server's own figures, where the build exports them (else {})."""
    try:
        m = scrape(port)
    except OSError:
        return {}
    keys = ("kronika_process_heap_in_use_bytes", "kronika_process_heap_free_bytes",
            "kronika_process_heap_trims_total", "kronika_process_heap_released_bytes_total",
            "kronika_process_heap_trim_seconds_total", "kronika_sip_requests_total")
    return {k: m[k] for k in keys if k in m}


class Flood:
    """Sends the refused INVITEs (closed loop, `window` unanswered at most) and counts the
    first final answer of each; retransmitted answers are counted apart."""

    def __init__(self, kinds, total, window, rate, source_ip):
        self.kinds, self.total, self.window, self.rate = kinds, total, window, rate
        self.source_ip = source_ip
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.bind((source_ip, 0))
        self.sock.settimeout(0.2)
        self.pending = {}  # call-id -> kind
        self.lock = threading.Lock()
        self.slots = threading.Semaphore(window)
        self.sent = 0
        self.answers = {}  # kind -> {status: n}
        self.unexpected = 0
        self.retransmitted_answers = 0
        self.retransmitted_invites = 0
        self.last_answer = None
        self.done = threading.Event()

    def send_all(self):
        port = self.sock.getsockname()[1]
        bodies = [body for _, body, ctype in malformed_shapes(SDP, META) if ctype == CTYPE]
        source_body = multipart(SDP, META)
        started = time.monotonic()
        for n in range(self.total):
            kind = self.kinds[n % len(self.kinds)]
            body = source_body if kind == "source" else bodies[(n // len(self.kinds)) % len(bodies)]
            data, call_id = invite(body, self.source_ip, port, n)
            if not self.slots.acquire(timeout=10):
                break  # the server stopped answering; the rest is reported unanswered
            with self.lock:
                self.pending[call_id] = (kind, data, time.monotonic())
            self.sock.sendto(data, ("127.0.0.1", SIP_PORT))
            self.sent += 1
            if self.rate > 0:
                ahead = started + self.sent / self.rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)

    def retransmit(self):
        """Timer A, simplified: an INVITE unanswered for 0.5 s is sent again (a datagram
        the server's socket buffer dropped would otherwise never become a transaction)."""
        while not self.done.is_set():
            now = time.monotonic()
            with self.lock:
                late = [(cid, e) for cid, e in self.pending.items() if now - e[2] > 0.5]
                for cid, e in late:
                    self.pending[cid] = (e[0], e[1], now)
            for _, e in late:
                self.sock.sendto(e[1], ("127.0.0.1", SIP_PORT))
                self.retransmitted_invites += 1
            self.done.wait(0.1)

    def receive(self):
        while not self.done.is_set():
            try:
                data = self.sock.recv(65535).decode(errors="replace")
            except socket.timeout:
                continue
            if not data.startswith("SIP/2.0 "):
                continue
            status = int(data.split(" ", 2)[1])
            if status < 200:
                continue
            m = re.search(r"^(?:Call-ID|i):\s*(\S+)", data, re.M | re.I)
            with self.lock:
                entry = self.pending.pop(m.group(1), None) if m else None
            if entry is None:
                self.retransmitted_answers += 1
                continue
            kind = entry[0]
            self.slots.release()
            self.last_answer = time.monotonic()
            per = self.answers.setdefault(kind, {})
            per[str(status)] = per.get(str(status), 0) + 1
            if status not in EXPECTED[kind]:
                self.unexpected += 1


class Sampler(threading.Thread):
    def __init__(self, pid, every_s):
        super().__init__(daemon=True)
        self.pid, self.every_s = pid, every_s
        self.samples = []
        self.stop = threading.Event()
        self.started = time.monotonic()
        self.phase = "idle"

    def run(self):
        while not self.stop.is_set():
            self.samples.append({"t_s": round(time.monotonic() - self.started, 2), "phase": self.phase,
                                 "rss_mb": round(proc_status(self.pid, "VmRSS") / 1024, 2)})
            self.stop.wait(self.every_s)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True, help="build directory (srs/kronika in it)")
    p.add_argument("--kronika", help="the server binary (default: BUILD/srs/kronika)")
    p.add_argument("--invites", type=int, default=100000)
    p.add_argument("--kind", choices=("source", "malformed", "both"), default="both")
    p.add_argument("--window", type=int, default=64, help="INVITEs unanswered at most")
    p.add_argument("--rate", type=float, default=0, help="INVITEs per second at most (0: as fast as answered)")
    p.add_argument("--settle-s", type=float, default=60, help="wait after the last answer")
    p.add_argument("--sample-s", type=float, default=1.0)
    p.add_argument("--out", default="rejected_rss_bench.json")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    args = p.parse_args()
    kinds = ["source", "malformed"] if args.kind == "both" else [args.kind]

    work = tempfile.mkdtemp(prefix="kronika-rejected-rss-")
    config = os.path.join(work, "kronika.toml")
    # The refused-source INVITEs come from 127.0.0.2 and the malformed ones from 127.0.0.1,
    # so one allow-list serves every kind.
    with open(config, "w") as f:
        f.write('[sip]\nallowed_sources = ["127.0.0.1/32"]\n')
    server = subprocess.Popen(
        [args.kronika or os.path.join(args.build, "srs/kronika"), "serve", "--config", config, "--data-dir",
         os.path.join(work, "data"), "--sip", f"127.0.0.1:{SIP_PORT}", "--http", f"127.0.0.1:{HTTP_PORT}",
         "--log-level", "warn"],
        stdout=open(os.path.join(work, "server.log"), "w"), stderr=subprocess.STDOUT)
    floods = []
    sampler = Sampler(server.pid, args.sample_s)
    result = {"command": " ".join(sys.argv), "invites": args.invites, "kind": args.kind, "window": args.window}
    try:
        ready = False
        for _ in range(300):
            if server.poll() is not None:
                break  # did not start (a port in use?): server.log says why
            try:
                scrape(HTTP_PORT)
                ready = True
                break
            except OSError:
                time.sleep(0.1)
        if not ready or server.poll() is not None:
            raise SystemExit(f"rejected_rss_bench: the server did not start; see {work}/server.log")
        time.sleep(2)  # let start-up finish (threads, first scrape) before calling it idle
        idle_rss_mb = proc_status(server.pid, "VmRSS") / 1024
        result["idle_server_view"] = server_view(HTTP_PORT)
        sampler.start()
        # One sender per source address: `source` from 127.0.0.2 when both kinds run.
        per_kind = {k: args.invites // len(kinds) + (1 if i < args.invites % len(kinds) else 0)
                    for i, k in enumerate(kinds)}
        for kind in kinds:
            flood = Flood([kind], per_kind[kind], max(1, args.window // len(kinds)), args.rate / len(kinds),
                          "127.0.0.2" if kind == "source" else "127.0.0.1")
            floods.append(flood)
        sampler.phase = "flood"
        t0 = time.monotonic()
        receivers = [threading.Thread(target=f.receive, daemon=True) for f in floods]
        receivers += [threading.Thread(target=f.retransmit, daemon=True) for f in floods]
        senders = [threading.Thread(target=f.send_all, daemon=True) for f in floods]
        for t in receivers + senders:
            t.start()
        for t in senders:
            t.join()
        deadline = time.monotonic() + 15
        while any(f.pending for f in floods) and time.monotonic() < deadline:
            time.sleep(0.1)
        flood_s = max((f.last_answer or t0) for f in floods) - t0
        rss_at_end_of_flood_mb = proc_status(server.pid, "VmRSS") / 1024
        result["end_of_flood_server_view"] = server_view(HTTP_PORT)
        sampler.phase = "settle"
        settle_until = time.monotonic() + args.settle_s
        while time.monotonic() < settle_until and server.poll() is None:
            time.sleep(0.5)
        settled_rss_mb = proc_status(server.pid, "VmRSS") / 1024
        result["settled_server_view"] = server_view(HTTP_PORT)
        alive = server.poll() is None
    finally:
        sampler.stop.set()
        for f in floods:
            f.done.set()
        server.terminate()
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()

    sent = sum(f.sent for f in floods)
    answered = sum(sum(v.values()) for f in floods for v in f.answers.values())
    unexpected = sum(f.unexpected for f in floods)
    peak_rss_mb = max([s["rss_mb"] for s in sampler.samples] + [idle_rss_mb, rss_at_end_of_flood_mb])
    answers = {}
    for f in floods:
        for kind, per in f.answers.items():
            answers[kind] = per
    checks = {
        "settled_within_20_mb_of_idle": settled_rss_mb - idle_rss_mb <= RSS_LIMIT_MB,
        "all_sent": sent == args.invites,
        "all_answered": answered == sent,
        "all_answers_expected_4xx": unexpected == 0,
        "server_alive": alive,
    }
    result.update({
        "idle_rss_mb": round(idle_rss_mb, 2),
        "peak_rss_mb": round(peak_rss_mb, 2),
        "rss_at_end_of_flood_mb": round(rss_at_end_of_flood_mb, 2),
        "settled_rss_mb": round(settled_rss_mb, 2),
        "settled_minus_idle_mb": round(settled_rss_mb - idle_rss_mb, 2),
        "settle_s": args.settle_s,
        "flood_s": round(flood_s, 2),
        "invites_per_s": round(answered / flood_s, 1) if flood_s > 0 else None,
        "sent": sent,
        "answered": answered,
        "answers": answers,
        "retransmitted_answers_received": sum(f.retransmitted_answers for f in floods),
        "retransmitted_invites": sum(f.retransmitted_invites for f in floods),
        "server_exit": server.returncode if not alive else None,
        "samples": sampler.samples,
        "checks": checks,
        "pass": all(checks.values()),
    })
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=2))
    if result["pass"] and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"rejected_rss_bench: kept {work} (server.log)", file=sys.stderr)
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
