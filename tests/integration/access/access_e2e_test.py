#!/usr/bin/env python3
"""Issue 8 "done when", end to end through the HTTP API of a real `kronika serve` with real
tokens (made by `kronika user token`) and a real recording (SIPp call):

- ACCESS-1/2: a listener without an approved request gets 403, and the refusal is logged
  and counted; an administrator cannot list metadata or play; no token -> 401.
- ACCESS-3/4 + REG-1: request -> approval -> employee informed -> GET .../audio plays the
  Ogg Opus file (full and HTTP range 206) and the register has an entry with the REG-1 fields.
- REG-3: editing one byte of the register makes `kronika register verify` fail (exit 1).
- DISC-1..3: a granted disclosure exports a package that `kronika export verify` accepts;
  after changing one byte of the audio it fails. The package is signed with Ed25519 (key made
  by `kronika export keygen`): `--public-key` accepts it, OpenSSL verifies the signature, and
  a flipped byte in the audio, the manifest or the signature, or a package re-signed with
  another key, fail with a clear message and exit 1.
- REG-2 / DISC-3 as PDF: the register's playback protocols (API `format=pdf`, CLI
  `--format pdf`) and the hand-over protocol (package protocol.pdf, API `.../protocol`) are
  documents an office can file (issue 16 item 2), read back with pdftotext: in Polish, with
  the [office] letterhead (name, address, logo), number, place and date, local times with
  the zone, the REG-2 / DISC-3 fields, named signature fields, "strona X z Y", the
  checksums in words and the commands only in the annex, no requirement ID; English once
  (`lang=en`). With KRONIKA_DOC_SAMPLES=DIR the PDFs are copied there (docs/img's pictures).
- SEC-1/RET-3: the recording is sealed while it is recorded (no plaintext .opus ever, no
  OggS in the .kenc) and plays back decrypted with the call's tone; after DELETE the saved .kenc copy cannot be decrypted with any key left on disk.
- RIGHTS-3: a restricted recording cannot be requested.
"""
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import (BIN, SOURCE, Kronika, free_udp_tcp_port, make_tone_wav,  # noqa: E402
                     use_new_master_key, wait_for)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "media"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sip"))
import media_e2e_test as media  # noqa: E402  (opusdec + Goertzel helpers)

SCENARIO = os.path.join(SOURCE, "tests/integration/ops/uac-short-call.xml")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


class Api:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"

    def call(self, method, path, token=None, body=None, headers=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def json(self, method, path, token=None, body=None):
        status, _, raw = self.call(method, path, token, body)
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw


def kronika(*args, env=None):
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=env)


def pdf_text(path):
    """Text of a PDF via pdftotext (poppler-utils); None when pdftotext is missing."""
    if not shutil.which("pdftotext"):
        return None
    r = subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True)
    return r.stdout.decode("utf-8", "replace") if r.returncode == 0 else ""


def compact(text):
    return "".join((text or "").split())


REQUIREMENT_ID = re.compile(r"\b(SCOPE|CONSENT|RET|ACCESS|REG|DISC|RIGHTS|SEC)-\d")
LOCAL_TIME = re.compile(r"\d\d\.\d\d\.20\d\d, \d\d:\d\d:\d\d CES?T")
OFFICE = """
[office]
language = "pl"
time_zone = "Europe/Warsaw"
name = "Urząd Miasta Przykładowo"
address = "ul. Rynek 1\\n00-950 Przykładowo"
place = "Przykładowo"
logo = "{logo}"
"""


def write_logo(path):
    """A 48x48 PNG (white over red, the flag's colours) for the letterhead, made with zlib."""
    import struct
    import zlib
    rows = b"".join(b"\x00" + (b"\xff\xff\xff" if y < 24 else b"\xdc\x14\x3c") * 48 for y in range(48))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 48, 48, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def keep_sample(path, name):
    """Copies a document to $KRONIKA_DOC_SAMPLES (docs/img's pictures are made from them)."""
    samples = os.environ.get("KRONIKA_DOC_SAMPLES")
    if samples:
        os.makedirs(samples, exist_ok=True)
        shutil.copy(path, os.path.join(samples, name))


def check_office_document(text, what, number):
    """Issue 16 item 2: what every office document shows, as pdftotext reads it."""
    check("Urząd Miasta Przykładowo" in text and "ul. Rynek 1" in text, f"{what}: the office's letterhead")
    check(re.search(r"Przykładowo, dnia \d+ \w+ 20\d\d r\.", text) is not None, f"{what}: place and date")
    check(re.search(number, text) is not None, f"{what}: document number {number}")
    check(LOCAL_TIME.search(text) is not None, f"{what}: times in the office's zone with the zone shown")
    check(re.search(r"strona 1 z \d", text) is not None, f"{what}: 'strona 1 z N'")
    ids = REQUIREMENT_ID.findall(text)
    check(not ids, f"{what}: no requirement ID ({ids})")
    check(not re.search(r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ", text), f"{what}: no machine UTC times")


def make_export_signing_key(keys_dir):
    """DISC-3: an Ed25519 signing key outside the data dir, for the daemon's export packages."""
    key = os.path.join(keys_dir, "export-signing.pem")
    r = kronika("export", "keygen", key)
    check(r.returncode == 0 and "fingerprint " in r.stdout, f"DISC-3 kronika export keygen ({r.stdout.strip()} {r.stderr.strip()})")
    check(oct(os.stat(key).st_mode & 0o777) == "0o600", "DISC-3 private signing key is mode 0600")
    fingerprint = r.stdout.split("fingerprint ")[1].split()[0] if "fingerprint " in r.stdout else ""
    f = kronika("export", "fingerprint", key + ".pub")
    check(f.stdout.strip() == fingerprint and len(fingerprint) == 64, "DISC-3 fingerprint of the .pub matches keygen's")
    os.environ["KRONIKA_EXPORT_SIGNING_KEY_FILE"] = key
    return key, fingerprint


def check_register_pdf(api, token, data, work):
    """REG-2: printable playback protocols as PDF over the API and the CLI."""
    s, headers, pdf = api.call("GET", "/api/v1/register?format=pdf", token)
    check(s == 200 and headers.get("Content-Type") == "application/pdf" and pdf[:5] == b"%PDF-",
          f"REG-2 register protocols as PDF over the API (got {s}, {headers.get('Content-Type')})")
    out = os.path.join(work, "register.pdf")
    with open(out, "wb") as f:
        f.write(pdf)
    text = pdf_text(out)
    if text is None:
        print("skip REG-2 PDF text checks: pdftotext not installed")
        return
    fields = ["Protokół z odsłuchania rozmowy telefonicznej", "Data i godzina odsłuchania",
              "Osoby dokonujące odsłuchania", "Data i godzina rozmowy", "Osoby prowadzące rozmowę",
              "Numer telefonu, z którego wykonano połączenie", "Rodzaj zdarzenia", "Okoliczności towarzyszące",
              "Przyczyny wystąpienia zdarzenia", "Podjęte działania", "Postępowanie wyjaśniające",
              "Stanowisko zatwierdzającego co do dalszych czynności w sprawie"]
    missing = [f for f in fields if compact(f) not in compact(text)]
    check(not missing, f"REG-2 PDF protocol has every field, in Polish (missing {missing})")
    check("Anna Nowak, inspektor" in text and "Ewa Wójcik" in text and "ton rozmowy" in text,
          "REG-2 PDF protocol names listener, approver (Polish ó) and causes")
    check(compact("skarga rozmówcy na sposób potraktowania go przez pracownika") in compact(text),
          "REG-2 the kind of incident in words")
    check("Osoba dokonująca odsłuchania" in text and "Zatwierdzający" in text and "(data i podpis)" in text,
          "REG-2 signature fields for the listener and the approver")
    check_office_document(text, "REG-2 PDF", r"Nr PO/1/20\d\d")
    images = subprocess.run(["pdfimages", "-list", out], capture_output=True, text=True)
    check(images.returncode == 0 and " image " in images.stdout, "REG-2 PDF carries the office's logo")
    keep_sample(out, "protokol-odsluchania.pdf")
    cli_out = os.path.join(work, "register-cli.pdf")
    r = kronika("register", "export", "--format", "pdf", "--out", cli_out, "--data-dir", data,
                "--config", os.path.join(work, "kronika.toml"))
    cli_text = pdf_text(cli_out) if r.returncode == 0 else ""
    check(r.returncode == 0 and "Ewa Wójcik" in cli_text and "Nr PO/2/" in cli_text,
          f"REG-2 kronika register export --format pdf ({r.stderr.strip()})")
    check_office_document(cli_text, "REG-2 PDF from the CLI", r"Nr PO/2/20\d\d")
    s, _, pdf = api.call("GET", "/api/v1/register?format=pdf&lang=en", token)
    out_en = os.path.join(work, "register-en.pdf")
    with open(out_en, "wb") as f:
        f.write(pdf)
    en = pdf_text(out_en)
    check(s == 200 and "Record of listening to a recorded telephone call" in en and "page 1 of" in en
          and not REQUIREMENT_ID.findall(en), "REG-2 the same protocols in English (lang=en)")


def check_signed_package(api, token, did, pkg, key, fingerprint, work):
    """DISC-3: Ed25519-signed package, checked by the receiver with the public key only."""
    pub = key + ".pub"
    r = kronika("export", "verify", pkg, "--public-key", pub)
    check(r.returncode == 0 and "Ed25519 signature valid" in r.stdout and "the given public key" in r.stdout,
          f"DISC-3 export verify --public-key ok ({r.stdout.strip()})")
    r = kronika("export", "verify", pkg)
    check(r.returncode == 0 and fingerprint in r.stdout, "DISC-3 export verify without a key names the signer's fingerprint")
    o = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", os.path.join(pkg, "SIGNING-KEY.pem"),
                        "-rawin", "-in", os.path.join(pkg, "MANIFEST.sha256"),
                        "-sigfile", os.path.join(pkg, "MANIFEST.sha256.ed25519.sig")], capture_output=True, text=True)
    check(o.returncode == 0 and "Signature Verified Successfully" in o.stdout,
          f"DISC-3 OpenSSL alone verifies the manifest signature ({o.stdout.strip()} {o.stderr.strip()})")
    check(subprocess.run(["sha256sum", "--quiet", "-c", "MANIFEST.sha256"], cwd=pkg).returncode == 0,
          "DISC-3 sha256sum -c MANIFEST.sha256 passes")
    text = pdf_text(os.path.join(pkg, "protocol.pdf"))
    if text is not None:
        check("Protokół przekazania nagrań rozmów telefonicznych" in text and "Policja KMP" in text
              and "RSD-123/26" in text and compact("wyłącznie do celów określonych w pisemnym wniosku") in compact(text)
              and "Ewa Wójcik" in text,
              "DISC-3 protocol.pdf holds institution, request no., declaration and the granting director")
        check(fingerprint in compact(text) and compact("Odcisk klucza podpisującego (SHA-256)") in compact(text),
              "DISC-3 protocol.pdf states the signing key fingerprint in words")
        check("+48221234567" in compact(text) and " min " in text, "DISC-3 protocol.pdf lists phone number and duration")
        check(compact("Sumy kontrolne nagrań") in compact(text), "DISC-3 protocol.pdf states the checksums in words")
        check("Przekazujący" in text and "Jan Kowal" in text and "gestor systemu nagrywania" in text and "Przyjmujący" in text
              and "Zatwierdzający" in text, "DISC-3 named signature fields: transferor, recipient, approver")
        annex = text.find("Załącznik nr 1")
        check(annex > 0 and text.find("sha256sum -c") > annex and text.find("openssl") > annex
              and text.find("kronika export verify") > annex, "DISC-3 the commands are only in the annex")
        check_office_document(text, "DISC-3 protocol.pdf", r"Nr PP/\d+/20\d\d")
        keep_sample(os.path.join(pkg, "protocol.pdf"), "protokol-przekazania.pdf")
    s, headers, body = api.call("GET", f"/api/v1/disclosures/{did}/protocol?format=pdf", token)
    check(s == 200 and headers.get("Content-Type") == "application/pdf" and body[:5] == b"%PDF-",
          f"DISC-3 GET .../protocol?format=pdf (got {s})")
    s, headers, body = api.call("GET", f"/api/v1/disclosures/{did}/protocol", token,
                                headers={"Accept": "application/pdf"})
    check(s == 200 and body[:5] == b"%PDF-", f"DISC-3 GET .../protocol with Accept: application/pdf (got {s})")
    s, headers, body = api.call("GET", f"/api/v1/disclosures/{did}/protocol", token)
    check(s == 200 and headers.get("Content-Type", "").startswith("text/html")
          and fingerprint in compact(body.decode()) and "Protokół przekazania" in body.decode(),
          f"DISC-3 GET .../protocol as HTML, in Polish, with the fingerprint (got {s})")
    s, _, body = api.call("GET", f"/api/v1/disclosures/{did}/protocol?format=pdf&lang=en", token)
    out_en = os.path.join(work, "protocol-en.pdf")
    with open(out_en, "wb") as f:
        f.write(body)
    en = pdf_text(out_en) if s == 200 else ""
    check("Record of handing over telephone call recordings" in en and "Transferor" in en
          and not REQUIREMENT_ID.findall(en), "DISC-3 the hand-over protocol in English (lang=en)")

    def tampered(name, edit, *verify_args):
        copy = os.path.join(work, "pkg-" + name)
        shutil.copytree(pkg, copy)
        edit(copy)
        return kronika("export", "verify", copy, *verify_args)

    def flip(path, at):
        with open(path, "r+b") as f:
            f.seek(at)
            b = f.read(1)
            f.seek(at)
            f.write(bytes([b[0] ^ 0x01]))

    audio = glob.glob(os.path.join(pkg, "audio", "*.opus"))[0]
    rel_audio = os.path.relpath(audio, pkg)
    r = tampered("audio", lambda p: flip(os.path.join(p, rel_audio), 100), "--public-key", pub)
    check(r.returncode == 1 and f"FAILED {rel_audio}: SHA-256 differs" in r.stdout,
          f"DISC-3 flipped audio byte fails ({r.stdout.strip()})")
    r = tampered("manifest", lambda p: flip(os.path.join(p, "MANIFEST.sha256"), 5), "--public-key", pub)
    check(r.returncode == 1 and "Ed25519 signature does not match MANIFEST.sha256" in r.stdout,
          f"DISC-3 flipped manifest byte fails ({r.stdout.strip()})")
    r = tampered("signature", lambda p: flip(os.path.join(p, "MANIFEST.sha256.ed25519.sig"), 7), "--public-key", pub)
    check(r.returncode == 1 and "Ed25519 signature does not match" in r.stdout,
          f"DISC-3 flipped signature byte fails ({r.stdout.strip()})")

    # Someone else re-signs an altered package with their own key (made by OpenSSL).
    other = os.path.join(work, "other.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", other], check=True, capture_output=True)

    def resign(p):
        flip(os.path.join(p, rel_audio), 100)
        subprocess.run(["openssl", "pkey", "-in", other, "-pubout", "-out", os.path.join(p, "SIGNING-KEY.pem")],
                       check=True, capture_output=True)
        lines = []
        with open(os.path.join(p, "MANIFEST.sha256")) as f:
            for line in f:
                path = line.rstrip("\n")[66:]
                with open(os.path.join(p, path), "rb") as g:
                    lines.append(hashlib.sha256(g.read()).hexdigest() + "  " + path + "\n")
        with open(os.path.join(p, "MANIFEST.sha256"), "w") as f:
            f.writelines(lines)
        subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", other, "-rawin", "-in",
                        os.path.join(p, "MANIFEST.sha256"), "-out", os.path.join(p, "MANIFEST.sha256.ed25519.sig")],
                       check=True, capture_output=True)
    r = tampered("resigned", resign, "--public-key", pub)
    check(r.returncode == 1 and "not by the given key " + fingerprint in r.stdout,
          f"DISC-3 package re-signed with another key fails against --public-key ({r.stdout.strip()})")
    r = kronika("export", "verify", os.path.join(work, "pkg-resigned"))
    check(r.returncode == 0 and fingerprint not in r.stdout,
          "DISC-3 without --public-key a re-signed package shows a different fingerprint")


def main():
    for tool in ("sipp", "sox"):
        if not shutil.which(tool):
            print(f"SKIP: {tool} not installed")
            return 77
    keys_dir = use_new_master_key()
    signing_key, signing_fingerprint = make_export_signing_key(keys_dir)
    logo = os.path.join(keys_dir, "herb.png")
    write_logo(logo)
    node = Kronika(config=OFFICE.format(logo=logo))
    data = node.data_dir
    env = dict(os.environ)

    # Users and tokens through the CLI, before the daemon starts (same LMDB is fine live too).
    def add(user, roles, name, surname, position):
        r = kronika("user", "add", user, "--role", roles, "--name", name, "--surname", surname,
                    "--position", position, "--data-dir", data, env=env)
        check(r.returncode == 0, f"kronika user add {user} ({r.stderr.strip()})")
        t = kronika("user", "token", user, "--data-dir", data, env=env)
        check(t.returncode == 0 and t.stdout.startswith("krk_"), f"kronika user token {user}")
        return t.stdout.strip()

    node.init_data_dir()
    tok = {
        "listener": add("anna", "listener", "Anna", "Nowak", "inspektor"),
        "other": add("piotr", "listener", "Piotr", "Lis", "referent"),
        "director": add("ewa", "approver", "Ewa", "Wójcik", "dyrektor"),
        "keeper": add("jan", "records_keeper", "Jan", "Kowal", "gestor systemu nagrywania"),
        "admin": add("root", "administrator", "Adam", "Admin", "administrator systemu"),
        "dpo": add("iod", "dpo", "Iza", "Dobra", "inspektor ochrony danych"),
        "auditor": add("audit", "auditor", "Olga", "Audyt", "audytor"),
    }
    listed = kronika("user", "list", "--data-dir", data, env=env)
    check("anna" in listed.stdout and "records_keeper" in listed.stdout, "kronika user list shows users and roles")

    try:
        node.start()
        api = Api(node.http_port)
        work = node.work
        make_tone_wav(os.path.join(work, "tone.wav"))
        call = subprocess.run(
            ["sipp", "-sf", SCENARIO, "-m", "2", "-l", "1", "-p", str(free_udp_tcp_port()), "-i", "127.0.0.1",
             "-timeout", "30s", "-timeout_error", "-nostdin", f"127.0.0.1:{node.sip_port}"],
            cwd=work, capture_output=True, text=True)
        check(call.returncode == 0, f"SIPp recording call (exit {call.returncode})")

        def finished():
            s, body = api.json("GET", "/api/v1/recordings?state=completed", tok["keeper"])
            return body["recordings"] if s == 200 and body.get("count", 0) >= 2 else None
        rec = wait_for("two completed recordings", finished, timeout=30)[0]
        rid = rec["recording_id"]

        # SEC-1 / RET-3: encrypted at rest shortly after the recording finished.
        def encrypted():
            return glob.glob(os.path.join(data, "recordings", "**", rid + ".opus.kenc"), recursive=True)
        kenc = wait_for("the recording encrypted at rest", encrypted, timeout=15)[0]
        plain = kenc[:-len(".kenc")]
        check(not os.path.exists(plain), "SEC-1 no plaintext .opus left after encryption")
        with open(kenc, "rb") as f:
            blob = f.read()
        check(b"OggS" not in blob and b"OpusHead" not in blob, "SEC-1 .kenc holds no readable Ogg/Opus")

        # ACCESS-1: authentication and roles.
        s, _ = api.json("GET", "/api/v1/recordings")
        check(s == 401, f"ACCESS-1 no token -> 401 (got {s})")
        s, _ = api.json("GET", "/api/v1/recordings", "krk_" + "0" * 16 + "_" + "0" * 64)
        check(s == 401, f"ACCESS-1 forged token -> 401 (got {s})")
        s, _ = api.json("GET", "/api/v1/recordings", tok["admin"])
        check(s == 403, f"ACCESS-1 administrator cannot read call metadata -> 403 (got {s})")
        s, me = api.json("GET", "/api/v1/me", tok["listener"])
        check(s == 200 and me["roles"] == ["listener"] and me["surname"] == "Nowak", "GET /api/v1/me")

        # ACCESS-2: no approved request -> 403, logged and counted.
        before = node.metric("kronika_access_refused_total", {"reason": "not_approved"}) or 0
        s, body = api.json("GET", f"/api/v1/recordings/{rid}/audio", tok["listener"])
        check(s == 403, f"ACCESS-2 listener without approval -> 403 (got {s})")
        after = node.metric("kronika_access_refused_total", {"reason": "not_approved"}) or 0
        check(after == before + 1, f"ACCESS-2 refusal counted ({before} -> {after})")
        check(f"access: refused GET /api/v1/recordings/{rid}/audio for anna" in node.log_tail(20000),
              "ACCESS-2 refusal logged with the user and path")
        s, _ = api.json("GET", f"/api/v1/recordings/{rid}/audio", tok["admin"])
        check(s == 403, f"ACCESS-1 administrator cannot listen (got {s})")

        # ACCESS-3: request with a reason, approval by the director.
        s, body = api.json("POST", "/api/v1/playback-requests", tok["listener"],
                           {"recording_ids": [rid], "reason": "x", "justification": "j"})
        check(s == 400, f"ACCESS-3 unknown reason -> 400 (got {s})")
        s, req = api.json("POST", "/api/v1/playback-requests", tok["listener"],
                          {"recording_ids": [rid], "reason": "e", "justification": "skarga nr 12/2026",
                           "protocol": {"causes": "ton rozmowy", "actions": "rozmowa z pracownikiem"}})
        check(s == 201 and req["status"] == "pending", f"ACCESS-3 request filed (got {s})")
        prid = req["id"]
        s, _ = api.json("POST", f"/api/v1/playback-requests/{prid}/decision", tok["listener"], {"granted": True})
        check(s == 403, f"ACCESS-3 listener cannot approve (got {s})")
        s, dec = api.json("POST", f"/api/v1/playback-requests/{prid}/decision", tok["director"],
                          {"granted": True, "note": "zgoda na rozpatrzenie skargi", "valid_minutes": 30})
        check(s == 200 and dec["status"] == "approved", f"ACCESS-3 director approves (got {s})")
        s, body = api.json("GET", f"/api/v1/recordings/{rid}/audio", tok["listener"])
        check(s == 403 and "ACCESS-4" in body["error"]["message"], f"ACCESS-4 not before the employee is informed ({s})")
        s, _ = api.json("POST", f"/api/v1/playback-requests/{prid}/informed", tok["keeper"],
                        {"recording_id": rid, "how": "osobiście"})
        check(s == 200, f"ACCESS-4 employee marked informed (got {s})")

        # Playback (full and ranged) and the register.
        s, headers, audio = api.call("GET", f"/api/v1/recordings/{rid}/audio", tok["listener"])
        check(s == 200 and audio[:4] == b"OggS" and headers.get("Content-Type") == "audio/ogg",
              f"playback: 200 audio/ogg starting with OggS (got {s}, {audio[:4]!r})")
        check(headers.get("Accept-Ranges") == "bytes", "playback: Accept-Ranges bytes")
        ogg = os.path.join(work, "played.opus")
        with open(ogg, "wb") as f:
            f.write(audio)
        if shutil.which("opusinfo"):
            info = subprocess.run(["opusinfo", ogg], capture_output=True, text=True)
            check(info.returncode == 0 and "Playback length" in info.stdout, "playback: opusinfo reads the decrypted file")
        if shutil.which("opusdec"):
            # SEC-1: what was sealed while recording decrypts to the call's audio (SIPp sends
            # the 440 Hz tone.wav on one leg).
            _, rate, chans = media.decode(ogg, work)
            loud = max(chans, key=lambda c: sum(v * v for v in c))
            # The best 1.5 s of the file: on a loaded machine SIPp's first packets can be late,
            # which moves the tone in the file (a fixed window at 0.3 s once caught half of it).
            span, step = int(1.5 * rate), int(0.25 * rate)
            share = max((media.goertzel_share(loud[i:i + span], 440, rate)
                         for i in range(0, max(1, len(loud) - span + 1), step)), default=0.0)
            check(share > 0.3, f"playback: decrypted audio carries the call's 440 Hz tone (share {share:.2f})")
        # A second player (the page's `session` parameter): its own listening session.
        player = "player-e2e-0123456789"
        s, headers, part = api.call("GET", f"/api/v1/recordings/{rid}/audio?session={player}", tok["listener"],
                                    headers={"Range": "bytes=10-99"})
        check(s == 206 and part == audio[10:100] and headers.get("Content-Range") == f"bytes 10-99/{len(audio)}",
              f"playback: range request 206 with the right bytes (got {s})")
        # Issue 16: the same player's next Range requests are the same listening: no new entry.
        second_entry = headers.get("X-Kronika-Register-Entry")
        for rng in ("bytes=100-", "bytes=0-9"):
            s, headers, _ = api.call("GET", f"/api/v1/recordings/{rid}/audio?session={player}", tok["listener"],
                                     headers={"Range": rng})
            check(s == 206 and headers.get("X-Kronika-Register-Entry") == second_entry,
                  f"REG-1 a later Range request ({rng}) of the same player joins register entry "
                  f"{second_entry} (got {s}, {headers.get('X-Kronika-Register-Entry')})")
        s, body = api.json("POST", f"/api/v1/recordings/{rid}/listening", tok["listener"],
                           {"session": player, "played": [{"from_s": 0.0, "to_s": 1.2}]})
        check(s == 200, f"the player reports what it played (got {s} {body})")
        s, body = api.json("POST", f"/api/v1/recordings/{rid}/listening", tok["listener"],
                           {"session": "player-never-opened-01", "played": [{"from_s": 0.0, "to_s": 1.0}]})
        check(s == 404, f"a report for a session that never played is refused (got {s})")
        s, _, _ = api.call("GET", f"/api/v1/recordings/{rid}/audio", tok["other"])
        check(s == 403, f"ACCESS-2 another listener cannot use anna's approval (got {s})")

        s, reg = api.json("GET", "/api/v1/register", tok["keeper"])
        entries = reg["entries"] if s == 200 else []
        check(len(entries) == 2, f"REG-1 two register entries for two playbacks (got {len(entries)})")
        if entries:
            e = entries[0]
            fields = ["called_number", "calling_number", "call_start_utc", "listened_from_s", "listened_to_s",
                      "participants", "listener", "listened_at_utc", "identity"]
            check(all(k in e for k in fields), "REG-1 entry has every field")
            check(e["calling_number"] == "+48221234567" and e["listener"]["surname"] == "Nowak"
                  and e["listener"]["position"] == "inspektor" and e["identity"]["username"] == "anna",
                  f"REG-1 entry values ({e['calling_number']}, {e['listener']})")
            check(e["request_id"] == prid and e["approved_by"].startswith("Ewa"), "REG-1 entry names request and approver")
            check(entries[1]["bytes"] == {"from": 10, "to": 99, "total": len(audio)}, "REG-1 ranged entry keeps the part")
            check(entries[1]["session"] == player, "REG-1 the entry names its listening session")
        s, _ = api.json("GET", "/api/v1/register", tok["listener"])
        check(s == 403, f"REG listener cannot read the register (got {s})")
        s, v = api.json("GET", "/api/v1/register/verify", tok["auditor"])
        check(s == 200 and v["ok"] and v["entries"] == 2, "REG-3 verify over the API (auditor)")
        s, h, csv = api.call("GET", "/api/v1/register?format=csv", tok["keeper"])
        check(s == 200 and csv.decode().count("\r\n") == 3, "REG-1 CSV export over the API")
        s, h, html = api.call("GET", "/api/v1/register?format=html", tok["keeper"])
        check(s == 200 and "Stanowisko zatwierdzającego" in html.decode() and 'lang="pl"' in html.decode(),
              "REG-2 printable protocol over the API, in Polish")
        r = kronika("register", "verify", "--data-dir", data)
        check(r.returncode == 0 and "nienaruszona" in r.stdout and "wpisów: 2," in r.stdout, f"REG-3 register verify ok ({r.stdout.strip()})")
        r = kronika("register", "export", "--csv", "--data-dir", data)
        check(r.returncode == 0 and "Nowak" in r.stdout, "REG-1 register export --csv")
        check_register_pdf(api, tok["keeper"], data, work)
        # Issue 13 item 6: the PDF came from the kronika-pdf helper process; the daemon never
        # loaded cairo, pango or fontconfig.
        with open(f"/proc/{node.proc.pid}/maps") as maps:
            loaded = sorted({line.split()[-1] for line in maps if re.search(r"lib(cairo|pango|fontconfig)", line)})
        check(not loaded, f"the daemon's address space holds no cairo/pango/fontconfig after a PDF ({loaded})")

        # DISC-1..3: disclosure and export package, encrypted audio decrypted on the fly.
        s, d = api.json("POST", "/api/v1/disclosures", tok["keeper"],
                        {"requester_institution": "Policja KMP", "request_date": "2026-11-26",
                         "request_number": "RSD-123/26", "phone_number": "+48221234567",
                         "call_date": rec["start_utc"][:10], "justification": "postępowanie przygotowawcze",
                         "recording_ids": [rid]})
        check(s == 201, f"DISC-2 disclosure filed (got {s})")
        did = d["id"]
        s, _ = api.json("POST", f"/api/v1/disclosures/{did}/export", tok["keeper"])
        check(s == 409, f"DISC-1 no export before the decision (got {s})")
        s, _ = api.json("POST", f"/api/v1/disclosures/{did}/decision", tok["director"], {"granted": True, "note": "ok"})
        check(s == 200, f"DISC-1 director grants (got {s})")
        s, ex = api.json("POST", f"/api/v1/disclosures/{did}/export", tok["keeper"])
        check(s == 200, f"DISC-3 export package written (got {s})")
        if s == 200:
            pkg = ex["package"]
            with open(os.path.join(pkg, "audio", rid + ".opus"), "rb") as f:
                exported = f.read()
            check(exported == audio, "DISC-3 package audio equals the played (decrypted) audio")
            r = kronika("export", "verify", pkg)
            check(r.returncode == 0, f"DISC-3 export verify ok ({r.stdout.strip()})")
            check_signed_package(api, tok["keeper"], did, pkg, signing_key, signing_fingerprint, work)
            with open(os.path.join(pkg, "audio", rid + ".opus"), "r+b") as f:
                f.seek(200)
                byte = f.read(1)
                f.seek(200)
                f.write(bytes([byte[0] ^ 0x01]))
            r = kronika("export", "verify", pkg)
            check(r.returncode == 1 and "altered" in r.stdout, f"DISC-3 tampered package fails ({r.stdout.strip()})")

        # Stopping the daemon closes the open listening sessions: a closing line per session
        # (parts served and played) extends the chain; people read one row per session.
        node.stop()
        r = kronika("register", "verify", "--data-dir", data)
        check(r.returncode == 0 and "nienaruszona" in r.stdout and "wpisów: 4," in r.stdout,
              f"REG-3 two listening sessions closed at shutdown: 2 entries + 2 closing lines ({r.stdout.strip()})")
        r = kronika("register", "export", "--csv", "--data-dir", data)
        rows = r.stdout.strip().splitlines()
        check(r.returncode == 0 and len(rows) == 3, f"REG-2 one CSV row per listening session (got {len(rows) - 1})")
        with open(os.path.join(data, "access", "register.jsonl")) as f:
            closing = [json.loads(line) for line in f if '"playback_parts"' in line]
        played = [c.get("parts_played") for c in closing if c.get("session") == player]
        check(played == [[{"from_s": 0.0, "to_s": 1.2}]], f"the closing line states the parts the player played ({played})")
        node.start()

        # REG-3: one edited byte in the register file.
        reg_file = os.path.join(data, "access", "register.jsonl")
        with open(reg_file, "rb") as f:
            raw = bytearray(f.read())
        at = raw.index("inspektor".encode())
        raw[at] = ord("X")
        with open(reg_file, "wb") as f:
            f.write(raw)
        r = kronika("register", "verify", "--data-dir", data)
        check(r.returncode == 1 and "entry 1" in r.stdout, f"REG-3 edited byte detected ({r.stdout.strip()})")
        s, _, _ = api.call("GET", f"/api/v1/recordings/{rid}/audio", tok["listener"])
        check(s == 500, f"REG-3 no playback while the register is damaged (got {s})")

        # RIGHTS-3: restriction blocks requests.
        s, _ = api.json("POST", f"/api/v1/recordings/{rid}/restriction", tok["listener"],
                        {"restricted": True, "reason": "x"})
        check(s == 403, f"RIGHTS-3 only the DPO restricts (got {s})")
        s, _ = api.json("POST", f"/api/v1/recordings/{rid}/restriction", tok["dpo"],
                        {"restricted": True, "reason": "objection"})
        check(s == 200, f"RIGHTS-3 DPO restricts (got {s})")
        s, _ = api.json("POST", "/api/v1/playback-requests", tok["listener"],
                        {"recording_ids": [rid], "reason": "a", "justification": "j"})
        check(s == 403, f"RIGHTS-3 restricted recording cannot be requested (got {s})")
        s, _ = api.json("POST", f"/api/v1/recordings/{rid}/restriction", tok["dpo"],
                        {"restricted": False, "reason": "withdrawn"})

        # RET-3: deletion shreds the key; a saved copy of the .kenc stays unreadable.
        backup = os.path.join(work, "backup.kenc")
        shutil.copy(kenc, backup)
        r = kronika("key", "probe", backup, "--data-dir", data, env=env)
        check(r.returncode == 0 and rid in r.stdout, f"RET-3 before deletion the copy decrypts ({r.stdout.strip()})")
        s, _ = api.json("DELETE", f"/api/v1/recordings/{rid}?reason=relevance+questioned", tok["listener"])
        check(s == 403, f"RET-4 listener cannot delete (got {s})")
        s, body = api.json("DELETE", f"/api/v1/recordings/{rid}?reason=relevance+questioned", tok["admin"])
        check(s == 200, f"RET-4 administrator deletes ({s} {body})")
        check(not os.path.exists(kenc) and not os.path.exists(plain), "RET-3 audio files gone")
        key_files = glob.glob(os.path.join(data, "**", "*.dek"), recursive=True)
        check(not any(os.path.basename(k) == rid + ".dek" for k in key_files), "RET-3 data key destroyed")
        # Try every key left on disk (each .dek unwrapped by the master key) on the saved copy.
        r = kronika("key", "probe", backup, "--data-dir", data, env=env)
        check(r.returncode == 1 and "no key on disk decrypts" in r.stdout,
              f"RET-3 deleted recording's copy cannot be decrypted with any key left ({r.stdout.strip()})")
        r = kronika("key", "status", "--data-dir", data, env=env)
        check(r.returncode == 0, f"key status after deletion ({r.stdout.strip()})")
        s, _ = api.json("GET", f"/api/v1/recordings/{rid}", tok["keeper"])
        wait_for("the store record deleted", lambda: api.json("GET", f"/api/v1/recordings/{rid}", tok["keeper"])[0] == 404,
                 timeout=10)
    finally:
        node.stop()
        shutil.rmtree(keys_dir, ignore_errors=True)
    if failures:
        print(f"\n{len(failures)} check(s) failed:\n  " + "\n  ".join(failures))
        print(node.log_tail(3000))
        return 1
    print("all access checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
