"""SIPREC INVITE bodies a server must refuse 4xx, shared by the benches that send them
(rejected_rss_bench.py, soak_bench.py): each shape of the hardening issue (issue 12) that
reached the daemon's parsers or limits."""


def multipart(sdp, meta, sdp_headers="Content-Type: application/sdp\r\n"):
    """A SIPREC multipart body (boundary b1): the SDP part, then the RFC 7865 metadata."""
    return ("--b1\r\n" + sdp_headers + "\r\n" + sdp + "--b1\r\nContent-Type: application/rs-metadata+xml\r\n"
            "Content-Disposition: recording-session\r\n\r\n" + meta + "--b1--\r\n").encode()


def malformed_shapes(sdp, meta):
    """(name, body bytes, content type) of every malformed shape, in a fixed rotation order;
    `sdp` and `meta` are a valid offer and metadata the shapes are made from."""
    ctype = "multipart/mixed;boundary=b1"
    many = sdp.split("m=audio")[0] + "".join(
        f"m=audio {40000 + 2 * i} RTP/AVP 0\r\na=label:{i + 1}\r\na=sendonly\r\n" for i in range(101))
    return [
        ("broken-multipart", b"--b1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n", ctype),
        ("bad-sdp", multipart("v=0\r\nthis is not sdp\r\n", meta), ctype),
        ("nul-in-part-header", multipart(sdp, meta, "Content-Type: application/sdp\x00x\r\n"), ctype),
        ("101-mlines", multipart(many, meta), ctype),
        ("no-codec", multipart(sdp.replace("RTP/AVP 0", "RTP/AVP 121"), meta), ctype),
        ("not-siprec", sdp.encode(), "application/sdp"),  # no Require: siprec (that one is recorded)
    ]
