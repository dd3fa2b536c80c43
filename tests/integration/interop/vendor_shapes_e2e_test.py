#!/usr/bin/env python3
"""Vendor-shaped SIPREC calls end to end, as an SBC admin would try them (issue 14 item 5).

Each case is modelled on what public vendor documentation and public issue threads show a
real SRC sending (AudioCodes Mediant, Avaya SBCE, an OpenSIPS B2B recorder front end, Cisco
CUBE, a proxied BroadWorks-style SRC, a FreeSWITCH/sofia-sip style metadata UPDATE). The
bodies and headers are written here from those descriptions: no vendor's message is copied.
The shapes the interop corpus already has (Acme, Sonus, SEMS, connectel, the corpus' CUBE
and BroadWorks bodies) are not repeated.

Every case: the INVITE is answered 200, real RTP on both legs (440 Hz / 1000 Hz), BYE; the
recording plays with each leg on its own channel, `kronika query --number` finds both
parties, `kronika show --json` says metadata_status complete, and every listing (CLI JSON,
CSV, HTTP API) lists every recording. Exit 0 = pass, 1 = fail, 77 = skipped.
"""
from __future__ import annotations

import os
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sbc_shapes_e2e_test as shapes  # noqa: E402  (Case, run_suite, dialogs, bodies)

NS = shapes.NS


def uid():
    return uuid.uuid4().hex


def multipart(boundary, parts, closing=True):
    """parts: [(header lines, body text)] -> bytes; each part's headers as given."""
    out = ""
    for headers, body in parts:
        out += f"--{boundary}\r\n" + "".join(h + "\r\n" for h in headers) + "\r\n" + body
        if not body.endswith("\r\n"):
            out += "\r\n"
    if closing:
        out += f"--{boundary}--\r\n"
    return out.encode()


def sdp_lines(lines):
    return "\r\n".join(lines) + "\r\n"


# --- AudioCodes Mediant style ----------------------------------------------------------
# The Mediant user manual and public issue threads (drachtio-siprec #77, rtpengine #1779)
# show: Contact with the pre-RFC ";src" parameter, Supported: sdp-anat, an x-audc-call-id
# header, c= both at session and media level, a=ptime before the direction, OPUS in upper
# case beside G.711 with a spaced fmtp, telephone-event "0-15,16", and first INVITEs whose
# legs are all a=inactive (the call is not answered yet) followed by a re-INVITE to sendonly.
# The manual's metadata carries the Avaya UCID in an element whose "ac:" prefix is never
# declared (the xmlns on it declares a default namespace instead).

def audiocodes_sdp(direction):
    lines = ["v=0", "o=ShapeGW 51600001 1530000001 IN IP4 127.0.0.1", "s=SBC-Call", "c=IN IP4 127.0.0.1", "t=0 0"]
    for i, label in enumerate(("1", "2")):
        lines += [f"m=audio {31000 + 4 * i} RTP/AVP 0 8 111 126", "c=IN IP4 127.0.0.1", "a=ptime:20",
                  f"a={direction}", f"a=label:{label}", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
                  "a=rtpmap:111 OPUS/48000/2", "a=fmtp:111 minptime=20; maxplaybackrate=8000; useinbandfec=1",
                  "a=rtpmap:126 telephone-event/8000", "a=fmtp:126 0-15,16"]
    return sdp_lines(lines)


def audiocodes_metadata(caller, callee, session):
    return (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<recording xmlns='{NS}'>"
            f"<datamode>complete</datamode>"
            f"<session session_id=\"{session}\"><sipSessionID>{uid()}@127.0.0.1</sipSessionID></session>"
            f"<participant participant_id=\"pa{session[:8]}\"><nameID aor=\"sip:{caller}@127.0.0.1;user=phone\">"
            f"<name>{caller}</name></nameID></participant>"
            f"<participant participant_id=\"pb{session[:8]}\"><nameID aor=\"sip:{callee}@127.0.0.1;user=phone\"/>"
            f"</participant>"
            f"<stream stream_id=\"sa{session[:8]}\" session_id=\"{session}\"><label>1</label></stream>"
            f"<stream stream_id=\"sb{session[:8]}\" session_id=\"{session}\"><label>2</label></stream>"
            f"<participantstreamassoc participant_id=\"pa{session[:8]}\"><send>sa{session[:8]}</send>"
            f"<recv>sb{session[:8]}</recv></participantstreamassoc>"
            f"<participantstreamassoc participant_id=\"pb{session[:8]}\"><send>sb{session[:8]}</send>"
            f"<recv>sa{session[:8]}</recv></participantstreamassoc>"
            f"<ac:AvayaUCID xmlns=\"urn:ietf:params:xml:ns:Avaya\">00FA0800190010AB12CD34</ac:AvayaUCID>"
            f"</recording>\r\n")


def audiocodes_case():
    caller, callee = "+48221000101", "+48601000101"
    session = uid()
    boundary = "boundary_ac5e21"
    ctype = f"multipart/mixed;boundary={boundary}"
    metadata = audiocodes_metadata(caller, callee, session)

    def body(direction):
        return multipart(boundary, [(["Content-Type: application/sdp"], audiocodes_sdp(direction)),
                                    (["Content-Type: application/rs-metadata+xml",
                                      "Content-Disposition: recording-session"], metadata)])

    headers = ["Supported: sdp-anat", "Require: siprec",
               "Allow: REGISTER,OPTIONS,INVITE,ACK,CANCEL,BYE,NOTIFY,PRACK,REFER,INFO,SUBSCRIBE,UPDATE",
               "User-Agent: ShapeSBC Mediant-like/7.40", f"x-audc-call-id: {uid()}"]

    def inactive_answered(final, failures):
        # Nothing is sent yet: every leg is answered inactive, the recording is already open.
        directions = [line for line in final.body.splitlines() if line in ("a=inactive", "a=recvonly")]
        failures.check(directions == ["a=inactive", "a=inactive"],
                       "AudioCodes: legs offered inactive are answered inactive", final.body)

    def to_sendonly(dialog, failures):
        r = dialog.reinvite(body("sendonly"), ctype, ["Require: siprec"])
        failures.check(bool(r) and r[-1].status == 200, "AudioCodes: re-INVITE to sendonly answered 200",
                       f"{r[-1] if r else None}")
        return r[-1] if r else None

    return shapes.Case("AudioCodes-style: ;src, inactive first, OPUS listed, undeclared ac: prefix",
                       body("inactive"), content_type=ctype, headers=headers, contact_params=";src",
                       check_answer=inactive_answered, before_media=to_sendonly, numbers=(caller, callee))


# --- Avaya SBCE style ------------------------------------------------------------------
# drachtio-siprec #21 shows an Avaya SBC over TCP: labels 10 and 20, PCMA with
# telephone-event 103, a=ptime after the direction, an o= address other than c=, and a From
# whose display name is the calling number with ";transport=udp;user=phone" in the URI.

def avaya_case():
    caller, callee = "+48221000102", "+48601000102"
    session = uid()
    lines = ["v=0", "o=- 830001 1 IN IP4 198.51.100.20", "s=SipCall", "c=IN IP4 127.0.0.1", "t=0 0"]
    for i, label in enumerate(("10", "20")):
        lines += [f"m=audio {32000 + 2 * i} RTP/AVP 8 103", "a=rtpmap:8 PCMA/8000",
                  "a=rtpmap:103 telephone-event/8000", f"a=label:{label}", "a=sendonly", "a=ptime:20"]
    metadata = (f"<?xml version='1.0' encoding='UTF-8'?>\n<recording xmlns='{NS}'>\n"
                f" <datamode>complete</datamode>\n"
                f" <session session_id=\"{session}\">\n  <sipSessionID>{uid()}</sipSessionID>\n </session>\n"
                f" <participant participant_id=\"{uid()[:16]}A\">\n"
                f"  <nameID aor=\"sip:{caller}@sbc.example.pl;user=phone\"><name>{caller[1:]}</name></nameID>\n"
                f"  <send>st10</send><recv>st20</recv>\n </participant>\n"
                f" <participant participant_id=\"{uid()[:16]}B\">\n"
                f"  <nameID aor=\"sip:{callee}@sbc.example.pl;user=phone\"/>\n"
                f"  <send>st20</send><recv>st10</recv>\n </participant>\n"
                f" <stream stream_id=\"st10\" session_id=\"{session}\"><label>10</label></stream>\n"
                f" <stream stream_id=\"st20\" session_id=\"{session}\"><label>20</label></stream>\n"
                f"</recording>\n")
    boundary = "unique-boundary-1"
    body = multipart(boundary, [(["Content-Type: application/sdp"], sdp_lines(lines)),
                                (["Content-Type: application/rs-metadata+xml",
                                  "Content-Disposition: recording-session"], metadata)])
    head = ("INVITE sip:srs@127.0.0.1;transport=tcp SIP/2.0\n"
            "Via: SIP/2.0/TCP 127.0.0.1:{lport};branch={branch}\n"
            f"From: \"{caller[1:]}\" <sip:{caller}@127.0.0.1:5060;transport=udp;user=phone>;tag={{from_tag}}\n"
            "To: <sip:srs@127.0.0.1;transport=tcp>\n"
            "CSeq: {cseq} INVITE\n"
            "Call-ID: {call_id}\n"
            "Contact: <sip:127.0.0.1:{lport};transport=tcp>;+sip.src\n"
            "Max-Forwards: 69\n"
            "Require: siprec\n"
            "Supported: replaces, timer\n"
            "Session-Expires: 1800;refresher=uac\n"
            "User-Agent: ShapeSBC SBCE-like/8.1\n"
            f"Content-Type: multipart/mixed;boundary={boundary}\n"
            "Content-Length: {len}\n")
    return shapes.Case("Avaya SBCE-style over TCP: labels 10/20, PCMA + te 103, user=phone numbers", body,
                       transport="tcp", raw_head=head, numbers=(caller, callee))


# --- an OpenSIPS B2B recorder front end ------------------------------------------------
# drachtio-siprec #1/#79 and IZI SIPREC #7/#8 show an OpenSIPS siprec B2B: From equal to To
# with no user part, CSeq 2 on the first INVITE, no session-level c= (c= after each m=),
# labels 0 and 1, a vendor flag attribute with no value, a=rtcp, base64 participant and
# session ids (with + / =) and IMS AORs carrying ;noa= and ;srvattri= parameters.

def opensips_case():
    caller, callee = "+48221000103", "+48601000103"
    lines = ["v=0", "o=ShapeB2B 399418590 399418590 IN IP4 198.51.100.33", "s=SipCall", "t=0 0"]
    for i, label in enumerate(("0", "1")):
        port = 33000 + 4 * i
        lines += [f"m=audio {port} RTP/AVP 8 108", "c=IN IP4 127.0.0.1", f"a=label:{label}", "a=rtpmap:8 PCMA/8000",
                  "a=rtpmap:108 telephone-event/8000", "a=x7gFlagOnly", "a=sendonly", f"a=rtcp:{port + 1}",
                  "a=ptime:20"]
    session, pa, pb, sa, sb = "yY9s+VpISB6TXuNRGBZ/oA==", "k3+S7y1FQp/F42DWS4psXg==", "Qm8/aZ+uT0aD1k2xWQ7r=w==", \
        "tf+lcBVuSCq0/eQ2zchnYA==", "f8y+GqwfStuZvtjEJN/StA=="
    ims = "ims.mnc001.mcc260.3gppnetwork.org"
    metadata = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<recording xmlns='{NS}'>\r\n"
                f"\t<datamode>complete</datamode>\r\n"
                f"\t<session session_id=\"{session}\">\r\n\t\t<sipSessionID>{uid()}@198.51.100.33</sipSessionID>\r\n"
                f"\t</session>\r\n"
                f"\t<participant participant_id=\"{pa}\">\r\n\t\t<nameID aor=\"sip:{caller}@{ims};noa=international;"
                f"srvattri=national\"/>\r\n\t</participant>\r\n"
                f"\t<participantsessionassoc participant_id=\"{pa}\" session_id=\"{session}\">\r\n"
                f"\t\t<associate-time>2026-12-07T05:00:00+0000</associate-time>\r\n\t</participantsessionassoc>\r\n"
                f"\t<participant participant_id=\"{pb}\">\r\n\t\t<nameID aor=\"sip:{callee}@{ims};noa=international\"/>"
                f"\r\n\t</participant>\r\n"
                f"\t<participantsessionassoc participant_id=\"{pb}\" session_id=\"{session}\">\r\n"
                f"\t\t<associate-time>2026-12-07T05:00:00+0000</associate-time>\r\n\t</participantsessionassoc>\r\n"
                f"\t<stream stream_id=\"{sa}\" session_id=\"{session}\">\r\n\t\t<label>0</label>\r\n\t</stream>\r\n"
                f"\t<stream stream_id=\"{sb}\" session_id=\"{session}\">\r\n\t\t<label>1</label>\r\n\t</stream>\r\n"
                f"\t<participantstreamassoc participant_id=\"{pa}\">\r\n\t\t<send>{sa}</send>\r\n\t\t<recv>{sb}</recv>"
                f"\r\n\t</participantstreamassoc>\r\n"
                f"\t<participantstreamassoc participant_id=\"{pb}\">\r\n\t\t<send>{sb}</send>\r\n\t\t<recv>{sa}</recv>"
                f"\r\n\t</participantstreamassoc>\r\n</recording>\r\n")
    boundary = "OSS-shape-boundary-7"
    body = multipart(boundary, [(["Content-Type: application/sdp"], sdp_lines(lines)),
                                (["Content-Type: application/rs-metadata+xml",
                                  "Content-Disposition: recording-session"], metadata)])
    head = ("INVITE sip:127.0.0.1 SIP/2.0\n"
            "Via: SIP/2.0/UDP 127.0.0.1:{lport};branch={branch}\n"
            "To: <sip:127.0.0.1>\n"
            "From: <sip:127.0.0.1>;tag={from_tag}\n"
            "CSeq: {cseq} INVITE\n"
            "Call-ID: {call_id}\n"
            "Max-Forwards: 70\n"
            "Content-Length: {len}\n"
            "User-Agent: ShapeB2B (3.4 (x86_64/linux))\n"
            "Require: siprec\n"
            f"Content-Type: multipart/mixed;boundary={boundary}\n"
            "Contact: <sip:127.0.0.1:{lport}>;+sip.src\n")

    def cseq_two(dialog):
        dialog.cseq = 1  # the B2B's first INVITE carries CSeq 2

    return shapes.Case("OpenSIPS-B2B-style: media-level c= only, labels 0/1, base64 ids, IMS AORs", body,
                       raw_head=head, prepare=cseq_two, numbers=(caller, callee))


# --- Cisco CUBE style ------------------------------------------------------------------
# The CUBE configuration guide's SIPREC chapter and drachtio-siprec #43/#46 show: TCP, a Date
# header, Supported with sdp-anat, Min-SE with two spaces, a Cisco-Guid header, metadata with
# <group>, <sessionrecordingassoc>, <participantsessionassoc> and send+recv associations, and
# mid-call re-INVITEs carrying new metadata when the far party changes (transfer, caller-ID
# UPDATE): the recording must then be found by the new party's number as well.

def cube_metadata(session, group, parties, mode="complete"):
    """parties: [(participant_id, number, stream it sends, stream it receives)]."""
    xml = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<recording xmlns='{NS}'>\r\n"
           f"<datamode>{mode}</datamode>\r\n"
           f"<group group_id=\"{group}\">\r\n<associate-time>2026-12-07T05:00:00.000Z</associate-time>\r\n</group>\r\n"
           f"<session session_id=\"{session}\">\r\n<sipSessionID>{uid()};remote={uid()}</sipSessionID>\r\n"
           f"<group-ref>{group}</group-ref>\r\n<start-time>2026-12-07T05:00:00.000Z</start-time>\r\n</session>\r\n")
    for pid, number, send, recv in parties:
        xml += (f"<participant participant_id=\"{pid}\">\r\n<nameID aor=\"sip:{number}@192.0.2.50\">\r\n"
                f"<name xml:lang=\"en\">{number}</name>\r\n</nameID>\r\n</participant>\r\n"
                f"<participantsessionassoc participant_id=\"{pid}\" session_id=\"{session}\">\r\n"
                f"<associate-time>2026-12-07T05:00:00.000Z</associate-time>\r\n</participantsessionassoc>\r\n")
    xml += (f"<stream stream_id=\"{session[:12]}1\" session_id=\"{session}\">\r\n<label>1</label>\r\n</stream>\r\n"
            f"<stream stream_id=\"{session[:12]}2\" session_id=\"{session}\">\r\n<label>2</label>\r\n</stream>\r\n"
            f"<sessionrecordingassoc session_id=\"{session}\">\r\n"
            f"<associate-time>2026-12-07T05:00:00.000Z</associate-time>\r\n</sessionrecordingassoc>\r\n")
    for pid, number, send, recv in parties:
        xml += (f"<participantstreamassoc participant_id=\"{pid}\">\r\n<send>{session[:12]}{send}</send>\r\n"
                f"<recv>{session[:12]}{recv}</recv>\r\n</participantstreamassoc>\r\n")
    return xml + "</recording>\r\n"


def cube_sdp(direction="sendonly"):
    lines = ["v=0", "o=CiscoSystemsSIP-GW-UserAgent 4321 1234 IN IP4 127.0.0.1", "s=SIP Call",
             "c=IN IP4 127.0.0.1", "t=0 0"]
    for i, label in enumerate(("1", "2")):
        lines += [f"m=audio {34000 + 2 * i} RTP/AVP 0 101", "c=IN IP4 127.0.0.1", "a=rtpmap:0 PCMU/8000",
                  "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16", "a=ptime:20", f"a={direction}",
                  f"a=label:{label}"]
    return sdp_lines(lines)


def cube_case():
    caller, callee, transferred_to = "+48221000104", "+48601000104", "+48601000204"
    session, group = uid(), uid()
    boundary = "uniqueShapeBoundary"
    ctype = f"multipart/mixed;boundary={boundary}"

    def body(metadata):
        return multipart(boundary, [(["Content-Type: application/sdp"], cube_sdp()),
                                    (["Content-Type: application/rs-metadata+xml",
                                      "Content-Disposition: recording-session"], metadata)])

    first = cube_metadata(session, group, [("p1" + session[:8], caller, "1", "2"),
                                           ("p2" + session[:8], callee, "2", "1")])
    # After the transfer: the far party is a new participant on the same stream.
    later = cube_metadata(session, group, [("p1" + session[:8], caller, "1", "2"),
                                           ("p3" + session[:8], transferred_to, "2", "1")])
    head = ("INVITE sip:srs@127.0.0.1:5060 SIP/2.0\n"
            "Via: SIP/2.0/TCP 127.0.0.1:{lport};branch={branch}\n"
            "From: <sip:127.0.0.1>;tag={from_tag}\n"
            "To: <sip:srs@127.0.0.1>\n"
            "Date: Mon, 07 Dec 2026 05:00:00 GMT\n"
            "Call-ID: {call_id}\n"
            "Supported: timer,resource-priority,replaces,sdp-anat\n"
            "Min-SE:  1800\n"
            "Cisco-Guid: 0427911521-3331789291-3179475176-364278476\n"
            "User-Agent: Cisco-SIPGateway/IOS-shape\n"
            "Allow: INVITE, OPTIONS, BYE, CANCEL, ACK, PRACK, UPDATE, REFER, SUBSCRIBE, NOTIFY, INFO, REGISTER\n"
            "CSeq: {cseq} INVITE\n"
            "Timestamp: 1796619600\n"
            "Contact: <sip:127.0.0.1:{lport};transport=tcp>;+sip.src\n"
            "Expires: 180\n"
            "Allow-Events: telephone-event\n"
            "Max-Forwards: 70\n"
            "Session-Expires:  1800\n"
            "Require: siprec\n"
            f"Content-Type: {ctype}\n"
            "Mime-Version: 1.0\n"
            "Content-Length: {len}\n")

    def transfer(dialog, failures):
        r = dialog.reinvite(body(later), ctype, ["Require: siprec"])
        failures.check(bool(r) and r[-1].status == 200, "CUBE: mid-call re-INVITE with the new party answered 200",
                       f"{r[-1] if r else None}")

    def channels_shown(detail, failures):
        # kronika show: the caller on the left; the far party before and after the transfer
        # both on the right, the one who left included.
        shown = {p.get("number_e164"): p.get("channel") for p in detail.get("participants", [])}
        failures.check(shown == {caller: 0, callee: 1, transferred_to: 1},
                       "CUBE: kronika show lists all three parties with the channel each was heard on",
                       f"{detail.get('participants')}")

    return shapes.Case("Cisco-CUBE-style over TCP: group/session associations, transfer by re-INVITE",
                       body(first), transport="tcp", raw_head=head, mid_call=transfer,
                       check_record=channels_shown, numbers=(caller, callee, transferred_to))


# --- a proxied SRC without Require, BroadWorks style headers ---------------------------
# The corpus' BroadWorks and Webex scenarios send no Require: siprec and mark the Contact with
# ";src"; drachtio-siprec #6 shows a BroadWorks INVITE with an empty Recv-Info header,
# Privacy: none, P-Asserted-Identity and an Accept list, and the Webex scenarios reach the SRS
# through a Kamailio proxy (Record-Route). The metadata part comes first, its Content-Type
# written without a space. RFC 3261 12.1.1: the 200 copies the Record-Route.

def proxied_case():
    caller, callee = "+48221000105", "+48601000105"
    session = uid()
    metadata = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><recording xmlns=\"{NS}\"><datamode>complete</datamode>"
                f"<session session_id=\"{session}\"/>"
                f"<participant participant_id=\"a\"><nameID aor=\"sip:{caller}@as.example.pl;user=phone\"/>"
                f"<send>s1</send><send>s2</send><recv>s1</recv><recv>s2</recv></participant>"
                f"<participant participant_id=\"b\"><nameID aor=\"tel:{callee}\"/>"
                f"<send>s1</send><send>s2</send><recv>s1</recv><recv>s2</recv></participant>"
                f"<stream stream_id=\"s1\" session_id=\"{session}\"><label>1</label><mode>separate</mode></stream>"
                f"<stream stream_id=\"s2\" session_id=\"{session}\"><label>2</label><mode>separate</mode></stream>"
                f"</recording>")
    lines = ["v=0", "o=BroadWorks 1183 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0"]
    for i, label in enumerate(("1", "2")):
        lines += [f"m=audio {35000 + 2 * i} RTP/AVP 0 8 101", "a=rtpmap:101 telephone-event/8000", "a=sendonly",
                  f"a=label:{label}"]
    boundary = "UniqueBroadWorksShape"
    body = multipart(boundary, [(["Content-Type:application/rs-metadata+xml",
                                  "Content-Disposition:recording-session"], metadata),
                                (["Content-Type:application/sdp"], sdp_lines(lines))])
    head = ("INVITE sip:srs@127.0.0.1;transport=udp SIP/2.0\n"
            "Via: SIP/2.0/UDP 127.0.0.1:{lport};branch={branch}\n"
            "Record-Route: <sip:127.0.0.1:{lport};lr;shape=proxy>\n"
            f"From: \"Shape Caller\"<sip:{caller}@127.0.0.1;user=phone>;tag={{from_tag}}\n"
            "To: <sip:srs@127.0.0.1>\n"
            "Call-ID: {call_id}\n"
            "CSeq: {cseq} INVITE\n"
            "Contact: <sip:SDs79shape@127.0.0.1:{lport};transport=udp>;src\n"
            f"P-Asserted-Identity: \"Shape Caller\"<sip:{caller}@127.0.0.1;user=phone>\n"
            "Privacy: none\n"
            "Recv-Info:\n"
            "Accept: application/media_control+xml,application/sdp,application/x-broadworks-call-center+xml\n"
            "Allow: ACK,BYE,CANCEL,INFO,INVITE,OPTIONS,PRACK,REFER,NOTIFY,UPDATE\n"
            "Max-Forwards: 10\n"
            f"Content-Type: multipart/mixed;boundary={boundary}\n"
            "Content-Length: {len}\n")

    def record_route_copied(final, failures):
        failures.check(any("shape=proxy" in v for v in final.all("record-route")),
                       "proxied SRC: the 200 copies the Record-Route (RFC 3261 12.1.1)",
                       f"{final.all('record-route')}")

    return shapes.Case("proxied BroadWorks-style SRC: no Require, ;src, Record-Route, metadata part first", body,
                       raw_head=head, check_answer=record_route_copied, numbers=(caller, callee))


# --- metadata completed by an UPDATE whose body is the metadata alone -------------------
# sofia-sip #236: an SRC sends the mid-call metadata as a bare application/rs-metadata+xml
# UPDATE (no multipart), which a sofia-based recorder answered 415. RFC 7866 section 7.1.1
# allows either; here the first INVITE names nobody yet.

def bare_update_case():
    caller, callee = "+48221000106", "+48601000106"
    invite = shapes.multipart(shapes.sdp(), shapes.metadata(shapes.stream("st1", "1") + shapes.stream("st2", "2"))
                              .encode())

    def update(dialog, failures):
        r = dialog.update(shapes.complete_metadata(caller, callee).encode(), "application/rs-metadata+xml")
        failures.check(bool(r) and r[-1].status == 200,
                       "bare application/rs-metadata+xml UPDATE answered 200", f"{r[-1] if r else None}")

    return shapes.Case("metadata-only UPDATE without multipart (sofia-sip #236 shape)", invite,
                       mid_call=update, numbers=(caller, callee))


# --- an in-dialog codec change ---------------------------------------------------------
# After a transfer or a media re-anchoring an SBC may re-offer the recording with another
# codec on the same ports (here PCMU, then a re-INVITE offering PCMA only, SDP alone): the
# second half is PCMA on the same SSRCs and must be decoded as such.

def codec_change_case():
    caller, callee = "+48221000107", "+48601000107"
    lines = ["v=0", "o=ShapeSBC 4711 2 IN IP4 127.0.0.1", "s=SIPREC", "c=IN IP4 127.0.0.1", "t=0 0"]
    for i, label in enumerate(("1", "2")):
        lines += [f"m=audio {30000 + 2 * i} RTP/AVP 8 101", "a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000",
                  f"a=label:{label}", "a=sendonly"]

    def to_pcma(dialog, failures):
        r = dialog.reinvite(sdp_lines(lines).encode(), "application/sdp")
        ok = bool(r) and r[-1].status == 200 and [s[2] for s in shapes.answered_streams(r[-1].body)] == [8, 8]
        failures.check(ok, "codec change: re-INVITE offering PCMA only answered 200 with PCMA on both legs",
                       f"{r[-1] if r else None} {r[-1].body if r else ''}")
        return r[-1] if r else None

    return shapes.Case("in-dialog codec change PCMU -> PCMA by an SDP-only re-INVITE",
                       shapes.multipart(shapes.sdp(), shapes.complete_metadata(caller, callee).encode()),
                       mid_call=to_pcma, numbers=(caller, callee))


# --- Metaswitch style: one mixed stream --------------------------------------------------
# The corpus' Metaswitch CFS scenarios send one m-line that both parties send on, no
# a=sendonly and no a=rtpmap (static PCMU), metadata in the pre-RFC namespace with the part
# typed application/rs-metadata (no +xml). Written here as a live call with audio: recorded
# as mono, found by both numbers.

def mixed_stream_case():
    caller, callee = "+48221000108", "+48601000108"
    session = uid()
    sdp = sdp_lines(["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
                     "m=audio 37000 RTP/AVP 0", "a=label:1"])
    metadata = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<recording xmlns=\"urn:ietf:params:xml:ns:recording\">\n"
                f"<datamode>complete</datamode>\n<session session_id=\"{session}\"/>\n"
                f"<participant participant_id=\"A{session[:6]}\"><nameID aor=\"sip:{caller}@cfs.example.pl\"/></participant>\n"
                f"<participant participant_id=\"B{session[:6]}\"><nameID aor=\"sip:{callee}@cfs.example.pl\"/></participant>\n"
                f"<stream stream_id=\"M{session[:6]}\" session_id=\"{session}\"><label>1</label></stream>\n"
                f"<participantstreamassoc participant_id=\"A{session[:6]}\"><send>M{session[:6]}</send>"
                f"<recv>M{session[:6]}</recv></participantstreamassoc>\n"
                f"<participantstreamassoc participant_id=\"B{session[:6]}\"><send>M{session[:6]}</send>"
                f"<recv>M{session[:6]}</recv></participantstreamassoc>\n</recording>\n")
    boundary = "mixed-shape-boundary"
    body = multipart(boundary, [(["Content-Type: application/sdp"], sdp),
                                (["Content-Type: application/rs-metadata",
                                  "Content-Disposition: recording-session"], metadata)])
    return shapes.Case("Metaswitch-style single mixed stream: no direction, no rtpmap, pre-RFC namespace", body,
                       content_type=f"multipart/mixed;boundary={boundary}", legs=1, numbers=(caller, callee))


# --- an SRC that requires reliable provisional responses ----------------------------------
# CUBE with `rel1xx require 100rel` and AudioCodes with PRACK mode "mandatory" put 100rel in
# Require; a recorder that does not list it answers 420 and nothing is recorded (RFC 3261
# 8.2.2.3). Kronika sends no provisional response but 100 Trying, so it supports the tag.

def require_100rel_case():
    caller, callee = "+48221000109", "+48601000109"

    def no_unsupported(final, failures):
        failures.check(final.header("unsupported") is None, "Require: 100rel: no Unsupported header in the 200",
                       f"{final.header('unsupported')}")

    return shapes.Case("Require: siprec, 100rel (CUBE rel1xx require, AudioCodes PRACK mandatory)",
                       shapes.multipart(shapes.sdp(), shapes.complete_metadata(caller, callee).encode()),
                       headers=["Require: siprec, 100rel", "Supported: 100rel, timer, replaces"],
                       check_answer=no_unsupported, numbers=(caller, callee))


def cases():
    return [audiocodes_case(), avaya_case(), opensips_case(), cube_case(), proxied_case(), bare_update_case(),
            codec_change_case(), mixed_stream_case(), require_100rel_case()]


def keepalives(server, failures):
    """Oracle/Acme session agents ping with `ping-method OPTIONS;hops=0`: Max-Forwards 0. The
    SRS is the target, not a proxy, so it answers 200 (a 483 would take it out of service)."""
    for transport in ("udp", "tcp"):
        client = shapes.SipClient(transport, server.sip_host, server.sip_port)
        try:
            dialog = shapes.Dialog(client)
            ping = dialog._request("OPTIONS", ["Accept: application/sdp"]).replace(
                b"Max-Forwards: 70", b"Max-Forwards: 0")
            r = client.transaction(ping, "OPTIONS")
            failures.check(bool(r) and r[-1].status == 200,
                           f"OPTIONS keepalive with Max-Forwards: 0 over {transport} answered 200", f"{r}")
        finally:
            client.close()


if __name__ == "__main__":
    sys.exit(shapes.run_suite(cases(), (), "kronika-vendor-shapes-", extra_checks=keepalives))
