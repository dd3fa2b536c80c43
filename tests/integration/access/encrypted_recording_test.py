#!/usr/bin/env python3
"""SEC-1 / RET-3: with a master key, audio never touches the disk unencrypted.

Against a real `kronika serve` with KRONIKA_MASTER_KEY_FILE set, a SIPREC call whose two
legs carry 440 Hz and 1000 Hz (RTP sent from Python):

1. DURING the call the <id>.opus.part on disk is sealed (KENC0002): no Ogg capture pattern
   "OggS", no OpusHead/OpusTags, not the recording id of the OpusTags comment.
2. After BYE only <id>.opus.kenc exists (never a plaintext .opus) and the post-hoc
   encryption pass encrypted nothing (kronika_recordings_encrypted_total{how="after"} stays 0,
   {how="sealed"} counts the recording).
3. Playback through the API workflow (request, approval, employee informed) returns Ogg
   Opus that opusdec decodes to 440 Hz left and 1000 Hz right; a range request across
   sealed-record boundaries returns exactly those bytes of the full response.
4. kill -9 during a second call, restart: the sealed .part becomes a sealed .opus.kenc
   (no plaintext), the recording is "interrupted", and it plays through the API with the
   right tones up to the cut.
"""
import glob
import os
import shutil
import signal
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "media"))
sys.path.insert(0, os.path.join(HERE, "..", "sip"))
import harness as h  # noqa: E402
import media_e2e_test as media  # noqa: E402
from access_e2e_test import Api, kronika  # noqa: E402

failures = media.Failures()
check = failures.check


def sealed_part(root, rid=None):
    parts = media.find_files(root, ".opus.part")
    if rid:
        parts = [p for p in parts if os.path.basename(p) == rid + ".opus.part"]
    return parts[0] if parts else None


def check_sealed_on_disk(path, rid, when):
    with open(path, "rb") as f:
        blob = f.read()
    check(blob[:8] == b"KENC0002", f"{when}: file starts with the KENC0002 header")
    check(b"OggS" not in blob, f"{when}: no Ogg capture pattern on disk ({len(blob)} bytes)")
    check(b"OpusHead" not in blob and b"OpusTags" not in blob, f"{when}: no Opus headers on disk")
    check(rid.encode() not in blob, f"{when}: the OpusTags RECORDING_ID is not readable")


def play(api, tok, rid, workdir, name):
    """Playback workflow for `rid`; returns the audio bytes (or None)."""
    s, req = api.json("POST", "/api/v1/playback-requests", tok["listener"],
                      {"recording_ids": [rid], "reason": "e", "justification": "SEC-1 test"})
    check(s == 201, f"{name}: playback request filed (got {s})")
    if s != 201:
        return None
    s, _ = api.json("POST", f"/api/v1/playback-requests/{req['id']}/decision", tok["director"],
                    {"granted": True, "note": "ok", "valid_minutes": 30})
    check(s == 200, f"{name}: approved (got {s})")
    s, _ = api.json("POST", f"/api/v1/playback-requests/{req['id']}/informed", tok["keeper"],
                    {"recording_id": rid, "how": "in person"})
    check(s == 200, f"{name}: employee informed (got {s})")
    s, headers, audio = api.call("GET", f"/api/v1/recordings/{rid}/audio", tok["listener"])
    check(s == 200 and audio[:4] == b"OggS", f"{name}: playback 200 decrypted to Ogg (got {s}, {audio[:4]!r})")
    if s != 200:
        return None
    path = os.path.join(workdir, name + ".opus")
    with open(path, "wb") as f:
        f.write(audio)
    return audio, path


def tones(path, workdir, name, min_s, max_s, window=(0.3, 1.3)):
    ok, info = media.opusinfo_ok(path)
    check(ok, f"{name}: opusinfo accepts the played audio" + ("" if ok else "\n" + info))
    channels, rate, ch = media.decode(path, workdir)
    check(channels == 2, f"{name}: stereo (got {channels})")
    if channels != 2:
        return
    duration = len(ch[0]) / rate
    check(min_s <= duration <= max_s, f"{name}: duration {duration:.2f} s in [{min_s}, {max_s}]")
    mid = lambda x: x[int(window[0] * rate):int(window[1] * rate)]  # noqa: E731
    check(media.dominant(mid(ch[0]), rate) == 440, f"{name}: left channel is the 440 Hz leg")
    check(media.dominant(mid(ch[1]), rate) == 1000, f"{name}: right channel is the 1000 Hz leg")


def main():
    for tool in ("opusinfo", "opusdec"):
        if shutil.which(tool) is None:
            print(f"SKIP: {tool} not installed (opus-tools)")
            return 77
    if not os.path.exists(h.BIN):
        print(f"SKIP: no kronika binary at {h.BIN}")
        return 77
    keys_dir = h.use_new_master_key()
    work = tempfile.mkdtemp(prefix="kronika-sealed-")
    node = h.Kronika(work=work)
    data = node.data_dir
    node.init_data_dir()
    tok = {}
    for role, user in (("listener", "anna"), ("approver", "ewa"), ("records_keeper", "jan")):
        r = kronika("user", "add", user, "--role", role, "--name", user, "--surname", "Test",
                    "--position", "Tester", "--data-dir", data)
        check(r.returncode == 0, f"user add {user} ({r.stderr.strip()})")
        t = kronika("user", "token", user, "--data-dir", data)
        tok[{"approver": "director", "records_keeper": "keeper"}.get(role, role)] = t.stdout.strip()
    try:
        node.start()
        api = Api(node.http_port)

        # 1. A call: the .part is sealed while it is being written.
        client, dialog, legs = media.start_call(node)
        media.send_call(legs, 2.0, (440, 1000))
        part = h.wait_for("the .opus.part", lambda: sealed_part(data), timeout=5)
        rid = os.path.basename(part)[:-len(".opus.part")]
        check_sealed_on_disk(part, rid, "during the call")
        media.send_call(legs, 1.0, (440, 1000))
        check_sealed_on_disk(part, rid, "during the call, 1 s later")
        dialog.bye()
        client.close()

        # 2. Finished: sealed .opus.kenc only, nothing for the post-hoc pass.
        def completed():
            s, body = api.json("GET", "/api/v1/recordings?state=completed", tok["keeper"])
            return body["recordings"] if s == 200 and body.get("count", 0) >= 1 else None
        h.wait_for("the completed recording", completed, timeout=20)
        kenc = glob.glob(os.path.join(data, "recordings", "**", rid + ".opus.kenc"), recursive=True)
        check(len(kenc) == 1, f"finished recording is {rid}.opus.kenc ({kenc})")
        check(not media.find_files(data, ".opus"), "no plaintext .opus was ever finished")
        if kenc:
            check_sealed_on_disk(kenc[0], rid, "finished file")
        check(node.metric("kronika_recordings_encrypted_total", {"how": "after"}) == 0,
              "the after-the-fact encryption pass had nothing to encrypt")
        check(node.metric("kronika_recordings_encrypted_total", {"how": "sealed"}) == 1,
              "the recording sealed while recorded is counted (how=sealed)")

        # 3. Playback: decrypted on the fly, right tones, exact ranges.
        played = play(api, tok, rid, work, "call")
        if played:
            audio, path = played
            # Past the first second: the coupled-stereo encoder at 16 kb/s can leak the left
            # tone into the right channel while it settles (seen with and without sealing).
            tones(path, work, "call", 2.8, 3.3, window=(1.0, 2.5))
            s, headers, part_bytes = api.call("GET", f"/api/v1/recordings/{rid}/audio", tok["listener"],
                                              headers={"Range": "bytes=1000-5999"})
            check(s == 206 and part_bytes == audio[1000:6000]
                  and headers.get("Content-Range") == f"bytes 1000-5999/{len(audio)}",
                  f"range across sealed records: 206 with the same bytes (got {s}, {len(part_bytes)} bytes)")
            s, _, tail = api.call("GET", f"/api/v1/recordings/{rid}/audio", tok["listener"],
                                  headers={"Range": "bytes=-100"})
            check(s == 206 and tail == audio[-100:], f"suffix range: the last 100 bytes (got {s})")

        # 4. kill -9 during a sealed recording, restart, recover, play.
        client, dialog, legs = media.start_call(node)
        media.send_call(legs, 3.0, (440, 1000))
        part2 = h.wait_for("the second .opus.part", lambda: sealed_part(data), timeout=5)
        rid2 = os.path.basename(part2)[:-len(".opus.part")]
        check_sealed_on_disk(part2, rid2, "before kill -9")
        node.stop(signal.SIGKILL)
        client.close()
        node = h.Kronika(work=work).start()  # same data dir, fresh ports
        api = Api(node.http_port)
        check(not media.find_files(data, ".opus.part"), "no .opus.part left after restart")
        check(not media.find_files(data, ".opus"), "recovery wrote no plaintext .opus")
        kenc2 = glob.glob(os.path.join(data, "recordings", "**", rid2 + ".opus.kenc"), recursive=True)
        check(len(kenc2) == 1, f"recovered into {rid2}.opus.kenc ({kenc2})")
        if kenc2:
            check_sealed_on_disk(kenc2[0], rid2, "recovered file")
        s, rec2 = api.json("GET", f"/api/v1/recordings/{rid2}", tok["keeper"])
        check(s == 200 and rec2.get("state") == "interrupted", f"recovered recording is interrupted ({s})")
        played = play(api, tok, rid2, work, "killed")
        if played:
            tones(played[1], work, "killed", 1.5, 3.3)
    except AssertionError as e:
        failures.append(str(e))
        print("FAIL", e)
    finally:
        node.stop()
        shutil.rmtree(keys_dir, ignore_errors=True)
    if failures:
        print(f"\n{len(failures)} check(s) failed; work dir kept: {work}")
        print(node.log_tail(3000))
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print("all sealed-recording checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
