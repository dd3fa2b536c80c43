"""Helpers shared by the policy integration tests (policy_test.py, policy_sip_test.py)."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import BIN  # noqa: E402

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def cli(*args):
    """Runs the kronika CLI; returns (exit code, stdout + stderr)."""
    r = subprocess.run([BIN, *args], capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def stored(data_dir):
    """The recordings `kronika query` finds in `data_dir` ([] when it fails)."""
    code, out = cli("query", "--data-dir", data_dir, "--json", "--limit", "10000")
    if code != 0:
        return []
    body = json.loads(out)
    return body if isinstance(body, list) else body.get("recordings", body.get("items", []))


def write_site_config(work, site_id, site_toml, extra=""):
    """Writes <work>/<site_id>.toml (the site policy) and a daemon config whose data dir is
    <work>/<site_id>/data and whose one site file it is; returns the config path."""
    site = os.path.join(work, f"{site_id}.toml")
    with open(site, "w") as f:
        f.write(site_toml)
    config = os.path.join(work, f"{site_id}-kronika.toml")
    data = os.path.join(work, site_id, "data")
    with open(config, "w") as f:
        f.write(f'[storage]\ndata_dir = "{data}"\n[site]\nname = "{site_id}"\n{extra}'
                f'[policy]\nsite_files = ["{site}"]\nsweep_interval_s = 3600\n')
    return config


def siprec_body(caller, callee):
    """A SIPREC INVITE body (two PCMU m-lines, RFC 7865 metadata naming the two numbers as
    participants) and its Content-Type."""
    sdp = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
           "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=label:1\r\na=sendonly\r\n"
           "m=audio 40002 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=label:2\r\na=sendonly\r\n")
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\r\n<recording xmlns="urn:ietf:params:xml:ns:recording:1">'
           '<datamode>complete</datamode><session session_id="czE="/>'
           f'<participant participant_id="cDE="><nameID aor="sip:{caller}@example.pl"/></participant>'
           f'<participant participant_id="cDI="><nameID aor="sip:{callee}@example.pl"/></participant>'
           '<stream stream_id="dDE=" session_id="czE="><label>1</label></stream>'
           '<stream stream_id="dDI=" session_id="czE="><label>2</label></stream></recording>\r\n')
    body = ("--B1\r\nContent-Type: application/sdp\r\n\r\n" + sdp +
            "--B1\r\nContent-Type: application/rs-metadata+xml\r\nContent-Disposition: recording-session\r\n\r\n" +
            xml + "--B1--\r\n")
    return body.encode(), "multipart/mixed;boundary=B1"
