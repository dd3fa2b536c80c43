#!/usr/bin/env python3
"""Runs EVERY SIPp scenario of the shared interop corpus (../shared/interop-corpus/sipp)
against `kronika serve` and checks each gets the answers a correct SRS gives.

The corpus is never copied into the repository: each scenario is adapted at run time into
a temp dir (see ADAPTATIONS below and docs/interop.md) and run with SIPp on a fresh server
instance (own ports, own data dir). Scenarios run in parallel (--jobs) and can be split in
shards (--shard K/N) so several ctest entries share the work.

  run_corpus.py [--shard 1/2] [--jobs 4] [--port-base 30000] [--only SUBSTR]
                [--results-json F] [--results-md F]
Environment: KRONIKA_BIN (the kronika binary), KRONIKA_SHARED (default ../shared).
Exit: 0 all as expected, 1 some not, 77 corpus or tools absent (skipped).
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = Path(os.environ.get("KRONIKA_SOURCE", HERE.parents[1]))
sys.path.insert(0, str(SOURCE / "tests" / "integration"))
import harness as h  # noqa: E402

# ---------------------------------------------------------------------------------------
# Adaptations (documented in docs/interop.md). Pauses are capped so the ~20 minutes of
# scripted waiting fit the CI budget; the order of signalling is unchanged.
PAUSE_CAP_MS = 2000
TIMEWAIT_CAP_MS = 500
SIPP_TIMEOUT_S = 90

# Classic 3PCC twins (-3pcc): (controller A: sends the command, controller B: waits).
CLASSIC_3PCC = [
    ("miarecdev/scenarios/01a_3way_call_initiator_recorded_1.xml",
     "miarecdev/scenarios/01a_3way_call_initiator_recorded_2.xml"),
    ("miarecdev/scenarios/04c_blind_call_transfer_1.xml",
     "miarecdev/scenarios/04c_blind_call_transfer_2.xml"),
    ("miarecdev/scenarios/mlhg_blind_call_transfer_1.xml",
     "miarecdev/scenarios/mlhg_blind_call_transfer_2.xml"),
    ("miarecdev/scenarios/rmtop_blind_call_transfer_1.xml",
     "miarecdev/scenarios/rmtop_blind_call_transfer_2.xml"),
    ("miarecdev/scenarios/metaswitch_01_3way_call/3pcc_01a_3way_call_callA.xml",
     "miarecdev/scenarios/metaswitch_01_3way_call/3pcc_01a_3way_call_callB.xml"),
    ("miarecdev/scenarios/metaswitch_04_blind_xfer/3pcc_04c_blind_xfer_callA.xml",
     "miarecdev/scenarios/metaswitch_04_blind_xfer/3pcc_04c_blind_xfer_callB.xml"),
    ("miarecdev/scenarios/metaswitch_07_call_waiting/3pcc_07a_call_waiting_callA.xml",
     "miarecdev/scenarios/metaswitch_07_call_waiting/3pcc_07a_call_waiting_callB.xml"),
    ("miarecdev/scenarios/metaswitch_16_basic_call_recording/3pcc_16c_basic_call_callA.xml",
     "miarecdev/scenarios/metaswitch_16_basic_call_recording/3pcc_16c_basic_call_callB.xml"),
    ("miarecdev/scenarios/metaswitch_19_shared_line/3pcc_19a_shared_line_callA.xml",
     "miarecdev/scenarios/metaswitch_19_shared_line/3pcc_19a_shared_line_callB.xml"),
    ("miarecdev/scenarios/metaswitch_19_shared_line/3pcc_19b_shared_line_callA.xml",
     "miarecdev/scenarios/metaswitch_19_shared_line/3pcc_19b_shared_line_callB.xml"),
]

# Extended 3PCC (-slave_cfg): role -> scenario; slaves start first, the master last.
EXTENDED_3PCC = [
    {"master": "miarecdev/scenarios/01a_3way_call_initiator_recorded_ext_1.xml",
     "slave1": "miarecdev/scenarios/01a_3way_call_initiator_recorded_ext_2.xml"},
    {"master": "miarecdev/scenarios/cisco_bib_call_master.xml",
     "slave1": "miarecdev/scenarios/cisco_bib_call_slave1.xml"},
    {"master": "miarecdev/scenarios/metaswitch_02_attended_xfer/3pcc_02b_attended_xfer_master.xml",
     "slave1": "miarecdev/scenarios/metaswitch_02_attended_xfer/3pcc_02b_attended_xfer_slave1.xml",
     "slave2": "miarecdev/scenarios/metaswitch_02_attended_xfer/3pcc_02b_attended_xfer_slave2.xml"},
    {"master": "miarecdev/scenarios/metaswitch_05_call_park/3pcc_05a_call_park_master.xml",
     "slave1": "miarecdev/scenarios/metaswitch_05_call_park/3pcc_05a_call_park_slave1.xml",
     "slave2": "miarecdev/scenarios/metaswitch_05_call_park/3pcc_05a_call_park_slave2.xml"},
]

# Not SIPREC: plain SDP INVITEs (Cisco BiB, CUBE network-based recording). A correct SRS
# refuses them; the scenario (written for a recorder that accepts them) then fails, which
# is expected. Asserted: every INVITE that got a final answer got 488.
NOT_SIPREC = {
    "miarecdev/scenarios/cisco_bib_call_master.xml",
    "miarecdev/scenarios/cisco_bib_call_slave1.xml",
    "miarecdev/scenarios/cisco_cube_network_based_normal_1.xml",
    "miarecdev/scenarios/cisco_cube_network_based_transferred_1.xml",
}

# Policy test from the E-C-Group drachtio fork: the recorder there is configured to deny the
# participant sip:deny@localhost. Kronika runs it with its default config (no do-not-record
# list), so the SIPREC INVITE is accepted; asserted: answered 200 and the server survives.
INFORMATIONAL = {
    "drachtio/uac_siprec_pcap_deny.xml":
        "policy-deny scenario of the drachtio fork; without a do-not-record entry for "
        "sip:deny@localhost Kronika accepts it (200) -- the scenario ends without BYE",
}


def vendor_of(rel: str) -> str:
    name = rel.lower()
    if name.startswith("drachtio/"):
        return "drachtio test UAC"
    if "cisco_webex_calling" in name:
        return "Cisco Webex Calling (BroadWorks)"
    if "broadworks" in name:
        return "BroadWorks"
    if "cisco_bib" in name:
        return "Cisco CUCM BiB (not SIPREC)"
    if "cisco_cube" in name:
        return "Cisco CUBE network-based (not SIPREC)"
    if "oracle" in name:
        return "Oracle SBC"
    return "Metaswitch CFS"


@dataclass
class Job:
    """One corpus run: a single scenario, or a 3PCC group run together."""
    roles: dict[str, str]         # role -> scenario path relative to the sipp corpus dir
    mode: str                     # "single" | "3pcc" | "ext3pcc"
    result: str = "not run"
    ok: bool = False
    notes: str = ""
    seconds: float = 0.0
    detail: str = ""
    responses: dict[str, list] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return " + ".join(self.roles.values())

    def estimate_s(self, corpus: Path) -> float:
        total = 0.0
        for rel in self.roles.values():
            text = (corpus / rel).read_text(errors="replace")
            text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
            total = max(total, sum(min(int(p), PAUSE_CAP_MS) for p in
                                   re.findall(r'<pause\s+milliseconds="(\d+)"', text)) / 1000)
        return total + 2


def plan(corpus: Path) -> list[Job]:
    all_xml = sorted(str(p.relative_to(corpus)) for p in corpus.rglob("*.xml"))
    jobs: list[Job] = []
    used: set[str] = set()
    for a, b in CLASSIC_3PCC:
        jobs.append(Job({"A": a, "B": b}, "3pcc"))
        used |= {a, b}
    for group in EXTENDED_3PCC:
        jobs.append(Job(dict(group), "ext3pcc"))
        used |= set(group.values())
    for rel in all_xml:
        if rel not in used:
            jobs.append(Job({"uac": rel}, "single"))
    missing = [rel for job in jobs for rel in job.roles.values() if rel not in all_xml]
    if missing:
        raise RuntimeError(f"corpus layout changed, missing: {missing}")
    return jobs


def fix_ack_cseq(text: str) -> tuple[str, int]:
    """BroadWorks-modelled miarec scenarios copy the ACK (with its CSeq number) from a
    Metaswitch scenario, so the ACK's CSeq does not match the INVITE's. RFC 3261 17.1.1.3 /
    13.2.2.4: the ACK carries the INVITE's CSeq number; a UAS rightly ignores this one and
    the next re-INVITE meets "500 Overlapping Requests". Sets each ACK's number to the
    last INVITE's. Two of them also send an ACK and a BYE whose CSeq method says INVITE
    (RFC 3261 8.1.1.5: the method must match the request's), and some let the CSeq of a
    later request (BYE, UPDATE) fall below an earlier one in the same dialog, which RFC
    3261 12.2.2 answers with 500; such a number is raised to the previous one + 1."""
    out, last, fixed, pos = [], None, 0, 0
    highest: int | None = None
    for m in re.finditer(r"(<send[^>]*>\s*<!\[CDATA\[)(.*?)(\]\]>)", text, re.S):
        body = m.group(2)
        first = body.strip().split("\n", 1)[0].strip()
        cseq = re.search(r"^(\s*CSeq\s*:\s*)(\d+)\s+(\w+)", body, re.M | re.I)
        method = first.split()[0] if first else ""
        if cseq and method in ("ACK", "BYE") and cseq.group(3) != method:
            body = body[:cseq.start(3)] + method + body[cseq.end(3):]
            fixed += 1
            cseq = re.search(r"^(\s*CSeq\s*:\s*)(\d+)\s+(\w+)", body, re.M | re.I)
        if cseq and method not in ("ACK", "CANCEL") and highest is not None \
                and int(cseq.group(2)) < highest and not first.startswith("INVITE"):
            body = body[:cseq.start(2)] + str(highest + 1) + body[cseq.end(2):]
            fixed += 1
            cseq = re.search(r"^(\s*CSeq\s*:\s*)(\d+)\s+(\w+)", body, re.M | re.I)
        if cseq and method not in ("ACK", "CANCEL"):
            highest = max(highest or 0, int(cseq.group(2)))
        if cseq and first.startswith("INVITE"):
            last = cseq.group(2)
        elif cseq and first.startswith("ACK") and last and cseq.group(2) != last:
            body = body[:cseq.start(2)] + last + body[cseq.end(2):]
            fixed += 1
        out.append(text[pos:m.start(2)] + body)
        pos = m.end(2)
    out.append(text[pos:])
    return "".join(out), fixed


def adapt(src: Path, corpus: Path) -> tuple[str, list[str]]:
    """Returns the adapted scenario text and the list of adaptations made."""
    text = src.read_text(encoding="latin-1")
    notes = []
    if "audio_alaw_2h.wav" in text:
        text = text.replace("audio_alaw_2h.wav", "audio_alaw.wav")
        notes.append("audio_alaw_2h.wav->audio_alaw.wav")
    if src.name == "uac_siprec_pcap_deny.xml":
        # SIPp 3.6 refuses to load it: every <recv> before the ACK is optional ("<recv>
        # before <send> sequence without a mandatory message"). The 200 is made mandatory.
        text = text.replace('<recv response="200" rtd="true" crlf="true" optional="true">',
                            '<recv response="200" rtd="true" crlf="true">')
        notes.append("200 made mandatory (SIPp 3.6 rejects all-optional receives)")
    if "[call_id]-XX" in text:
        # uac_siprec_pcap2.xml: SIPp maps responses to calls by Call-ID, so a Call-ID that
        # is not exactly [call_id] makes every answer "unknown call" in any SIPp 3.x.
        text = text.replace("[call_id]-XX", "[call_id]")
        notes.append("Call-ID [call_id]-XX->[call_id]")
    if re.search(r"^\s*Contact:\s*<[^>\n]*$", text, re.M):
        # Metaswitch-modelled miarec scenarios: "Contact: <sip:U@H:P;+sip.src" never closes
        # the '<' (ACK/BYE in the same files use a well-formed Contact). sofia-sip rejects
        # the INVITE with "400 Bad Contact Header" before Kronika sees it.
        text = re.sub(r"^(\s*Contact:\s*<[^>;\n]*)((?:;[^>\n]*)?)\s*$", r"\1>\2", text,
                      flags=re.M)
        notes.append("unterminated Contact '<' closed")
    text, acks = fix_ack_cseq(text)
    if acks:
        notes.append(f"{acks} ACK/BYE CSeq(s) corrected")
    pcap = corpus / "drachtio" / "pcap" / "g711a.pcap"
    if "/tmp/pcap/g711a.pcap" in text:
        text = text.replace("/tmp/pcap/g711a.pcap", str(pcap))
        notes.append("pcap path")

    capped = []

    def cap(m: re.Match, limit: int) -> str:
        value = int(m.group(2))
        if value > limit:
            capped.append(value)
            return f'{m.group(1)}"{limit}"'
        return m.group(0)

    text = re.sub(r'(<pause\s+milliseconds=)"(\d+)"', lambda m: cap(m, PAUSE_CAP_MS), text)
    if capped:
        notes.append(f"{len(capped)} pause(s) capped to {PAUSE_CAP_MS} ms")
    dist = re.findall(r'<pause\s+distribution="[^"]*"[^>]*/>', text)
    if dist:
        # 16b_basic_calls_outbound.xml: normal(mean 180 s, stdev 60 s) call length
        text = re.sub(r'<pause\s+distribution="[^"]*"[^>]*/>',
                      f'<pause milliseconds="{PAUSE_CAP_MS}"/>', text)
        notes.append(f"random pause -> {PAUSE_CAP_MS} ms")
    text = re.sub(r'(<timewait\s+milliseconds=)"(\d+)"', lambda m: cap(m, TIMEWAIT_CAP_MS), text)
    return text, notes


def prepare_dir(workdir: Path, corpus: Path, rels: list[str]) -> None:
    """Media files the scenarios name relative to their working dir."""
    workdir.mkdir(parents=True, exist_ok=True)
    sources = [corpus / "miarecdev" / "audio_alaw.wav"]
    sources += list((corpus / "miarecdev" / "scenarios").glob("*.csv"))
    for rel in rels:
        sources += [p for p in (corpus / rel).parent.iterdir()
                    if p.is_file() and p.suffix in (".pcap", ".wav", ".csv")]
    for s in sources:
        link = workdir / s.name
        if not link.exists():
            link.symlink_to(s)


def inf_args(text: str) -> list[str]:
    args = []
    for name in sorted(set(re.findall(r'\[field\d+ file="([^"]+)"\]', text))):
        args += ["-inf", name]
    return args


def final_responses(msgs: str) -> list[tuple[int, str]]:
    return [(code, method) for code, method in h.responses_in_trace(msgs) if code >= 200]


def judge(job: Job, rcs: dict[str, int], finals: dict[str, list]) -> tuple[bool, str]:
    rels = set(job.roles.values())
    if rels & NOT_SIPREC:
        invite_finals = [c for role in finals for c, m in finals[role] if m == "INVITE"]
        ok = bool(invite_finals) and all(c == 488 for c in invite_finals)
        return ok, ("rejected 488 (not SIPREC), as expected" if ok else
                    f"expected 488 for the plain-SDP INVITE, got {invite_finals}")
    for rel in rels & set(INFORMATIONAL):
        invite_finals = [c for role in finals for c, m in finals[role] if m == "INVITE"]
        ok = invite_finals == [200]
        return ok, INFORMATIONAL[rel] if ok else f"expected 200, got {invite_finals}"
    bad = [(role, c, m) for role in finals for c, m in finals[role]
           if m in ("INVITE", "UPDATE", "BYE") and c != 200]
    failed_roles = [role for role, rc in rcs.items() if rc != 0]
    if not bad and not failed_roles:
        return True, "all INVITE/re-INVITE/UPDATE/BYE answered 200"
    return False, (f"sipp exit codes {rcs}; non-200 finals {bad}" if bad or failed_roles
                   else "")


def run_job(job: Job, corpus: Path, binary: Path, ports: h.PortAllocator, tmp: Path) -> Job:
    started = time.monotonic()
    jobdir = tmp / re.sub(r"[^A-Za-z0-9_.-]+", "_", job.name)[:120]
    server = h.Kronika(work=jobdir / "server", ports=ports, rtp_ports=40, binary=binary)
    all_notes: list[str] = []
    try:
        server.start()
        rels = list(job.roles.values())
        prepare_dir(jobdir, corpus, rels)
        procs = {}
        order = list(job.roles)
        extra_by_role: dict[str, list[str]] = {r: [] for r in order}
        if job.mode == "3pcc":
            twin = f"{h.LOOPBACK}:{ports.take(1)}"
            extra_by_role = {"A": ["-3pcc", twin], "B": ["-3pcc", twin]}
            order = ["B", "A"]
        elif job.mode == "ext3pcc":
            cfg = jobdir / "slaves.cfg"
            cfg.write_text("".join(f"{role};{h.LOOPBACK}:{ports.take(1)}\n" for role in job.roles))
            for role in job.roles:
                flag = "-master" if role == "master" else "-slave"
                extra_by_role[role] = ["-slave_cfg", str(cfg), flag, role]
            order = sorted((r for r in job.roles if r != "master"), reverse=True) + ["master"]
        for role in order:
            rel = job.roles[role]
            text, notes = adapt(corpus / rel, corpus)
            all_notes += notes
            scenario = jobdir / f"{role}-{Path(rel).name}"
            scenario.write_text(text, encoding="latin-1")
            roledir = jobdir / f"sipp-{role}"
            roledir.mkdir(exist_ok=True)
            for link in jobdir.iterdir():
                if link.is_symlink():
                    target = roledir / link.name
                    if not target.exists():
                        target.symlink_to(link.resolve())
            procs[role] = h.run_sipp(scenario, server.sip_addr, roledir, ports,
                                     extra=extra_by_role[role] + inf_args(text),
                                     timeout_s=SIPP_TIMEOUT_S, popen=True)
            if job.mode != "single":
                time.sleep(0.3)  # listeners (B / slaves) up before the side that connects
        results = {role: finish() for role, (proc, finish) in procs.items()}
        rcs = {role: r.rc for role, r in results.items()}
        finals = {role: final_responses(r.messages()) for role, r in results.items()}
        job.responses = finals
        ok, why = judge(job, rcs, finals)
        if not server.alive():
            ok, why = False, f"server died (exit code {server.proc.returncode}): " + why
        job.ok = ok
        job.result = "pass" if ok else "FAIL"
        job.notes = "; ".join([why] + sorted(set(all_notes)))
        if not ok:
            job.detail = "\n".join(
                f"--- {role}: rc {r.rc}\n{r.stdout[-1500:]}\n{r.logs(4000)}"
                for role, r in results.items()) + "\n--- server log ---\n" + server.log_text()
    except Exception:
        job.ok, job.result = False, "FAIL"
        job.notes = "harness error"
        job.detail = traceback.format_exc() + "\n" + server.log_text()
    finally:
        server.stop()
        job.seconds = time.monotonic() - started
    return job


def shard(jobs: list[Job], corpus: Path, k: int, n: int) -> list[Job]:
    """Longest-first greedy split so the N shards take about the same time."""
    loads = [0.0] * n
    buckets: list[list[Job]] = [[] for _ in range(n)]
    for job in sorted(jobs, key=lambda j: (-j.estimate_s(corpus), j.name)):
        i = loads.index(min(loads))
        loads[i] += job.estimate_s(corpus)
        buckets[i].append(job)
    return buckets[k - 1]


def markdown(jobs: list[Job]) -> str:
    lines = ["| scenario | vendor | result | notes |", "|---|---|---|---|"]
    for job in sorted(jobs, key=lambda j: j.name):
        first = next(iter(job.roles.values()))
        mode = {"single": "", "3pcc": " (3PCC pair)", "ext3pcc": " (extended 3PCC)"}[job.mode]
        names = " + ".join(f"`{r}`" for r in job.roles.values())
        lines.append(f"| {names}{mode} | {vendor_of(first)} | {job.result} "
                     f"({job.seconds:.0f} s) | {job.notes} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shard", default="1/1")
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--port-base", type=int, default=15000)
    parser.add_argument("--only", default="")
    parser.add_argument("--results-json")
    parser.add_argument("--results-md")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    shared = h.env_path("KRONIKA_SHARED", str(SOURCE.parent / "shared"))
    corpus = shared / "interop-corpus" / "sipp"
    if not corpus.is_dir():
        h.skip(f"interop corpus absent ({corpus}); corpus suite not run")
    h.require_tools("sipp")
    binary = h.kronika_binary()
    k, n = (int(x) for x in args.shard.split("/"))
    jobs = plan(corpus)
    total = len(jobs)
    jobs = shard(jobs, corpus, k, n)
    if args.only:
        jobs = [j for j in jobs if args.only in j.name]
    print(f"corpus: {total} runs in all ({sum(len(j.roles) for j in plan(corpus))} scenario "
          f"files); shard {k}/{n} runs {len(jobs)}, {args.jobs} at a time")
    ports = h.PortAllocator(args.port_base, span=2500)
    tmp = h.make_tempdir(f"kronika-corpus-{k}of{n}-")
    lock = threading.Lock()
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(run_job, j, corpus, binary, ports, tmp) for j in jobs]
        for f in concurrent.futures.as_completed(futures):
            job = f.result()
            with lock:
                print(f"{job.result:4} {job.seconds:5.1f}s {job.name}  -- {job.notes}", flush=True)
                if not job.ok:
                    print(job.detail[-8000:], flush=True)
    failed = [j for j in jobs if not j.ok]
    print(f"\n{len(jobs) - len(failed)} as expected, {len(failed)} not, "
          f"{time.monotonic() - started:.0f} s wall")
    for j in failed:
        print(f"  not as expected: {j.name} -- {j.notes}")
    if args.results_json:
        Path(args.results_json).write_text(json.dumps([{
            "scenario": list(j.roles.values()), "mode": j.mode,
            "vendor": vendor_of(next(iter(j.roles.values()))), "result": j.result,
            "seconds": round(j.seconds, 1), "notes": j.notes,
            "final_responses": j.responses} for j in jobs], indent=1))
    if args.results_md:
        Path(args.results_md).write_text(markdown(jobs))
    if failed or args.keep:
        print(f"logs kept in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
