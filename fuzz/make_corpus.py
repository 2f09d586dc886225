"""Write the seed corpus for fuzz_session: valid peer byte streams for every
side and version, so libFuzzer starts from frames the core accepts and
mutates from there.

Each file is one setup byte (see fuzz_session.c: side, version, options,
pieces) followed by what the peer would send.  The frames are built with
tests/spdywire.py, the tests' independent codec written from the drafts.

Usage: python3 fuzz/make_corpus.py DIRECTORY
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))

import spdywire  # noqa: E402

CLIENT, SERVER = 0, 1
VERSIONS = {"spdy2": (0, 2), "spdy3": (1, 3), "spdy3.1": (2, 3)}
PUSH_OR_POST = 0x08
SMALL_CTRL_BUFFER = 0x10
NO_AUTO_WINDOW_UPDATE = 0x20

REQUEST_NV = [
    (":method", "GET"),
    (":scheme", "http"),
    (":path", "/"),
    (":version", "HTTP/1.1"),
    (":host", "127.0.0.1"),
    ("accept", "*/*"),
]
POST_NV = [
    (":method", "POST"),
    (":scheme", "http"),
    (":path", "/upload"),
    (":version", "HTTP/1.1"),
    (":host", "127.0.0.1"),
    ("content-type", "text/plain"),
]
RESPONSE_NV = [
    (":status", "200 OK"),
    (":version", "HTTP/1.1"),
    ("content-type", "text/plain"),
    ("x-many", "a\0b\0c"),
]
PUSH_NV = [
    (":scheme", "http"),
    (":host", "127.0.0.1"),
    (":path", "/pushed"),
    (":status", "200 OK"),
    (":version", "HTTP/1.1"),
]


def spdy2_names(pairs):
    """SPDY/2 spells the special headers without the colon and the path as url."""
    renamed = {":path": "url"}
    return [(renamed.get(name, name.lstrip(":")), value) for name, value in pairs]


def nv(wire_version, pairs):
    return spdy2_names(pairs) if wire_version == 2 else pairs


def settings(encoder):
    return encoder.settings([(4, 0, 100), (7, 0, 65536)] if encoder.version == 3 else [(4, 0, 100)])


def peer_of_server(wire_version):
    """Streams a client sends to a server session."""
    seeds = {}
    e = spdywire.Encoder(wire_version)
    seeds["get"] = e.syn_stream(1, nv(wire_version, REQUEST_NV), flags=spdywire.FLAG_FIN)
    e = spdywire.Encoder(wire_version)
    seeds["settings-get-ping"] = (
        settings(e)
        + e.syn_stream(1, nv(wire_version, REQUEST_NV), flags=spdywire.FLAG_FIN)
        + e.ping(1)
    )
    e = spdywire.Encoder(wire_version)
    seeds["post"] = (
        e.syn_stream(1, nv(wire_version, POST_NV), pri=1)
        + e.data(1, b"first part ")
        + e.data(1, b"last part", flags=spdywire.FLAG_FIN)
    )
    e = spdywire.Encoder(wire_version)
    seeds["two-streams-rst-goaway"] = (
        e.syn_stream(1, nv(wire_version, REQUEST_NV), flags=spdywire.FLAG_FIN)
        + e.syn_stream(3, nv(wire_version, POST_NV))
        + e.headers(3, [("x-trailer", "yes")])
        + e.rst_stream(3, 5)
        + e.goaway(1)
    )
    if wire_version == 2:
        e = spdywire.Encoder(wire_version)
        seeds["noop"] = e.noop() + e.syn_stream(
            1, nv(wire_version, REQUEST_NV), flags=spdywire.FLAG_FIN
        )
    else:
        e = spdywire.Encoder(wire_version)
        seeds["window-update"] = (
            e.syn_stream(1, nv(wire_version, POST_NV))
            + e.window_update(1, 1000)
            + e.window_update(0, 5000)
            + e.data(1, b"x" * 300, flags=spdywire.FLAG_FIN)
        )
        e = spdywire.Encoder(wire_version)
        seeds["credential"] = e.credential(1, b"proof", [b"cert-one", b"cert-two"])
    return seeds


def peer_of_client(wire_version):
    """Streams a server sends to a client session that requested stream 1."""
    seeds = {}
    e = spdywire.Encoder(wire_version)
    seeds["reply"] = e.syn_reply(1, nv(wire_version, RESPONSE_NV)) + e.data(
        1, b"hello", flags=spdywire.FLAG_FIN
    )
    e = spdywire.Encoder(wire_version)
    seeds["settings-reply-headers"] = (
        settings(e)
        + e.syn_reply(1, nv(wire_version, RESPONSE_NV))
        + e.headers(1, [("x-late", "1")])
        + e.data(1, b"body")
        + e.data(1, b"", flags=spdywire.FLAG_FIN)
    )
    e = spdywire.Encoder(wire_version)
    seeds["push"] = (
        e.syn_stream(
            2, nv(wire_version, PUSH_NV), assoc_stream_id=1, flags=spdywire.FLAG_UNIDIRECTIONAL
        )
        + e.syn_reply(1, nv(wire_version, RESPONSE_NV))
        + e.data(2, b"pushed", flags=spdywire.FLAG_FIN)
        + e.data(1, b"main", flags=spdywire.FLAG_FIN)
    )
    e = spdywire.Encoder(wire_version)
    seeds["ping-rst-goaway"] = e.ping(2) + e.ping(1) + e.rst_stream(1, 3) + e.goaway(0)
    if wire_version == 3:
        e = spdywire.Encoder(wire_version)
        seeds["window-update"] = (
            e.window_update(0, 1 << 16)
            + e.syn_reply(1, nv(wire_version, RESPONSE_NV))
            + e.window_update(1, 4096)
            + e.data(1, b"y" * 2000, flags=spdywire.FLAG_FIN)
        )
    return seeds


def write_corpus(directory):
    os.makedirs(directory, exist_ok=True)
    count = 0
    for version_name, (version_bits, wire_version) in VERSIONS.items():
        for side, side_name, seeds in (
            (SERVER, "server", peer_of_server(wire_version)),
            (CLIENT, "client", peer_of_client(wire_version)),
        ):
            for seed_name, stream in seeds.items():
                for extra, extra_name in (
                    (0, ""),
                    (PUSH_OR_POST, "-pp"),
                    (SMALL_CTRL_BUFFER | NO_AUTO_WINDOW_UPDATE | 0xC0, "-opts"),
                ):
                    setup = side | (version_bits << 1) | extra
                    name = "%s-%s-%s%s" % (version_name, side_name, seed_name, extra_name)
                    with open(os.path.join(directory, name), "wb") as f:
                        f.write(bytes([setup]) + stream)
                    count += 1
    return count


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    print("wrote %d seeds to %s" % (write_corpus(argv[1]), argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
