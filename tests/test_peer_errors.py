"""Bad input from the peer: every path ends in the answer SESSION.md specifies.

Stream errors answer with RST_STREAM and leave the session usable; session errors
answer with GOAWAY and stop reading.  What the session sends is parsed with
spdywire; malformed input is built by hand.
"""

import os
import struct
import subprocess
import sys
import tempfile

import pytest
from helpers import (
    PACKAGE_ROOT,
    POST_NV,
    REQUEST_NV,
    RESPONSE_NV,
    RawPeer,
    nv_on_wire,
    pairs,
    wire_version,
)

import spdylay

import spdywire

SPDY2 = spdylay.PROTO_SPDY2


def server(version, **kwargs):
    return RawPeer(spdylay.SERVER, version, **kwargs)


def client_with_request(version, **kwargs):
    peer = RawPeer(spdylay.CLIENT, version, **kwargs)
    peer.session.submit_request(0, REQUEST_NV)
    peer.sent()
    peer.rec.clear()
    return peer


def summary(frames):
    out = []
    for f in frames:
        if not f.control:
            out.append(("DATA", f.stream_id))
        elif f.type == spdywire.GOAWAY:
            out.append((f.type, f.last_good_stream_id, f.status_code))
        elif f.type == spdywire.RST_STREAM:
            out.append((f.type, f.stream_id, f.status_code))
        else:
            out.append((f.type,))
    return out


def rst(stream_id, status):
    return (spdywire.RST_STREAM, stream_id, status)


def goaway(version, last_good=0):
    status = None if version == SPDY2 else spdylay.GOAWAY_PROTOCOL_ERROR
    return (spdywire.GOAWAY, last_good, status)


def by_version(version, spdy2_status, spdy3_status):
    return spdy2_status if version == SPDY2 else spdy3_status


def parse_errors(peer):
    return peer.rec.calls("on_ctrl_recv_parse_error_cb")


def assert_session_failed(peer, version, last_good=0):
    assert summary(peer.sent()) == [goaway(version, last_good)]
    assert not peer.session.want_read()
    assert not peer.session.want_write()


def assert_stream_error(peer, stream_id, status, frame_type=None):
    """The session answered with RST_STREAM alone and goes on reading; with
    ``frame_type``, on_invalid_ctrl_recv_cb reported that frame, once."""
    assert summary(peer.sent()) == [rst(stream_id, status)]
    assert peer.session.want_read()
    if frame_type is not None:
        ((frame, got),) = peer.rec.calls("on_invalid_ctrl_recv_cb")
        assert (frame.frame_type, frame.stream_id, got) == (frame_type, stream_id, status)


def assert_still_serving(peer, version, stream_id):
    """A fresh request, compressed by the same peer deflater, still gets through."""
    peer.rec.clear()
    peer.feed(
        peer.enc.syn_stream(stream_id, nv_on_wire(version, REQUEST_NV), flags=spdywire.FLAG_FIN)
    )
    frames = [f for (f,) in peer.rec.calls("on_ctrl_recv_cb")]
    assert [(f.frame_type, f.stream_id) for f in frames] == [(spdylay.SYN_STREAM, stream_id)]
    assert pairs(frames[0].nv) == sorted(REQUEST_NV)


# --- framing ------------------------------------------------------------------


def test_frames_split_at_every_byte_boundary(version):
    enc = spdywire.Encoder(version)
    wire = (
        enc.syn_stream(1, nv_on_wire(version, POST_NV))
        + enc.data(1, b"abcdef")
        + enc.ping(1)
        + enc.data(1, b"", flags=spdywire.FLAG_FIN)
    )
    expected = None
    for cut in range(len(wire) + 1):
        peer = server(version)
        peer.feed(wire[:cut])
        peer.feed(wire[cut:])
        seen = (
            [
                (f.frame_type, getattr(f, "stream_id", None))
                for (f,) in peer.rec.calls("on_ctrl_recv_cb")
            ],
            b"".join(d for _, _, d in peer.rec.calls("on_data_chunk_recv_cb")),
            peer.rec.calls("on_data_recv_cb"),
            peer.rec.calls("on_request_recv_cb"),
        )
        if expected is None:
            expected = seen
        assert seen == expected, "split at %d" % cut
        assert parse_errors(peer) == []
    assert expected[0] == [(spdylay.SYN_STREAM, 1), (spdylay.PING, None)]
    assert expected[1] == b"abcdef"
    assert expected[3] == [(1,)]


def test_truncated_frame_waits_for_the_rest(version):
    peer = server(version)
    ping = peer.enc.ping(1)
    peer.feed(ping[:5])
    assert peer.rec.events == []
    assert peer.sent() == []
    peer.feed(ping[5:11])
    assert peer.rec.events == []
    peer.feed(ping[11:])
    assert [f.unique_id for (f,) in peer.rec.calls("on_ctrl_recv_cb")] == [1]


def _fixed_size_cases():
    cases = [
        ("rst-short", spdywire.RST_STREAM, struct.pack(">I", 1)),
        ("rst-long", spdywire.RST_STREAM, struct.pack(">III", 1, 5, 0)),
        ("ping-short", spdywire.PING, b""),
        ("ping-long", spdywire.PING, struct.pack(">II", 1, 0)),
        ("settings-no-count", spdywire.SETTINGS, b"\x00\x00"),
        ("syn-stream-short", spdywire.SYN_STREAM, struct.pack(">II", 1, 0)),
        ("syn-reply-short", spdywire.SYN_REPLY, b"\x00\x00"),
        ("headers-short", spdywire.HEADERS, b"\x00\x00"),
    ]
    return cases


@pytest.mark.bundled_core(reason="libspdylay 1.4 keeps processing input after a session error")
@pytest.mark.parametrize("case", _fixed_size_cases(), ids=lambda c: c[0])
def test_wrong_length_for_fixed_size_frames_is_a_session_error(version, case):
    _, frame_type, payload = case
    peer = server(version)
    raw = peer.enc.control(frame_type, payload)
    peer.feed(raw + peer.enc.ping(1))
    assert parse_errors(peer) == [(frame_type, raw[:8], raw[8:], spdylay.ERR_INVALID_FRAME)]
    assert peer.rec.calls("on_ctrl_recv_cb") == []
    assert_session_failed(peer, version)


@pytest.mark.bundled_core(reason="libspdylay 1.4 buffers the whole frame first")
@pytest.mark.parametrize(
    "frame_type",
    [spdywire.PING, spdywire.RST_STREAM, spdywire.GOAWAY],
    ids=["ping", "rst", "goaway"],
)
def test_a_fixed_size_frame_announcing_megabytes_fails_the_session_from_its_head(
    version, frame_type
):
    peer = server(version)
    head = peer.enc.control(frame_type, b"")[:5] + (16 * 1024 * 1024 - 1).to_bytes(3, "big")
    # Nothing of the announced 16 MiB needs to arrive (or be buffered).
    peer.feed(head + b"x" * 100)
    assert parse_errors(peer) == [(frame_type, head, b"", spdylay.ERR_INVALID_FRAME)]
    assert_session_failed(peer, version)


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 reports some malformed frames through another callback, or none"
)
def test_goaway_with_the_other_version_s_length(version):
    peer = server(version)
    payload = struct.pack(">II", 0, 0) if version == SPDY2 else struct.pack(">I", 0)
    raw = peer.enc.control(spdywire.GOAWAY, payload)
    peer.feed(raw)
    assert parse_errors(peer) == [(spdywire.GOAWAY, raw[:8], raw[8:], spdylay.ERR_INVALID_FRAME)]
    assert_session_failed(peer, version)


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 reports some malformed frames through another callback, or none"
)
@pytest.mark.parametrize(
    "payload", [struct.pack(">I", 1), struct.pack(">III", 1, 100, 0)], ids=["short", "long"]
)
def test_window_update_with_wrong_length(payload):
    peer = client_with_request(spdylay.PROTO_SPDY3)
    raw = peer.enc.control(spdywire.WINDOW_UPDATE, payload)
    peer.feed(raw)
    assert parse_errors(peer) == [
        (spdywire.WINDOW_UPDATE, raw[:8], raw[8:], spdylay.ERR_INVALID_FRAME)
    ]
    assert_session_failed(peer, spdylay.PROTO_SPDY3)


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 reports some malformed frames through another callback, or none"
)
@pytest.mark.parametrize("count", [0, 2, 1000], ids=["zero", "two", "huge"])
def test_settings_count_disagreeing_with_length(version, count):
    peer = server(version)
    raw = peer.enc.settings([(spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, 0, 10)], count=count)
    peer.feed(raw)
    assert parse_errors(peer) == [(spdywire.SETTINGS, raw[:8], raw[8:], spdylay.ERR_INVALID_FRAME)]
    assert_session_failed(peer, version)


@pytest.mark.bundled_core(reason="libspdylay 1.4 keeps processing input after a session error")
def test_session_error_ignores_the_rest_of_the_input(version):
    peer = server(version)
    bad = peer.enc.control(spdywire.PING, b"")
    good = peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV), flags=spdywire.FLAG_FIN)
    peer.feed(bad + good)
    peer.feed(peer.enc.ping(1))
    assert peer.rec.calls("on_ctrl_recv_cb") == []
    assert peer.rec.calls("on_request_recv_cb") == []
    assert_session_failed(peer, version)


# --- versions and types -------------------------------------------------------


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 reports some malformed frames through another callback, or none"
)
def test_syn_stream_with_another_version_is_refused(version):
    peer = server(version)
    other = 3 if wire_version(version) == 2 else 2
    foreign = spdywire.Encoder(other)
    raw = foreign.syn_stream(
        1, nv_on_wire(spdylay.PROTO_SPDY3, REQUEST_NV), flags=spdywire.FLAG_FIN
    )
    peer.feed(raw)
    assert parse_errors(peer) == [
        (spdywire.SYN_STREAM, raw[:8], raw[8:], spdylay.ERR_UNSUPPORTED_VERSION)
    ]
    assert peer.rec.calls("on_ctrl_recv_cb") == []
    assert_stream_error(peer, 1, spdylay.UNSUPPORTED_VERSION)
    assert_still_serving(peer, version, 3)


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 reports some malformed frames through another callback, or none"
)
@pytest.mark.parametrize("wire", [1, 4, 0x7FFF])
def test_other_control_frames_with_an_unknown_version_are_ignored(version, wire):
    peer = server(version)
    raw = spdywire.pack_control(wire, spdywire.PING, 0, struct.pack(">I", 1))
    peer.feed(raw)
    assert parse_errors(peer) == [
        (spdywire.PING, raw[:8], raw[8:], spdylay.ERR_UNSUPPORTED_VERSION)
    ]
    assert peer.rec.calls("on_ctrl_recv_cb") == []
    assert peer.sent() == []
    assert peer.session.want_read()


def test_unknown_control_type_reaches_its_callback(version):
    peer = server(version)
    raw = peer.enc.control(0x0FFF, b"opaque payload", flags=0x42)
    peer.feed(raw + peer.enc.ping(1))
    assert peer.rec.calls("on_unknown_ctrl_recv_cb") == [(raw[:8], raw[8:])]
    assert parse_errors(peer) == []
    assert [f.frame_type for (f,) in peer.rec.calls("on_ctrl_recv_cb")] == [spdylay.PING]
    assert summary(peer.sent()) == [(spdywire.PING,)]


# --- header blocks ------------------------------------------------------------


def _bad_blocks(version):
    good = nv_on_wire(version, REQUEST_NV)
    encode = spdywire.encode_nv
    fmt = ">H" if wire_version(version) == 2 else ">I"
    return {
        "empty-name": encode(version, good + [("", "x")]),
        "upper-case-name": encode(version, good + [("X-Upper", "x")]),
        "duplicate-name": encode(version, good + [("x-dup", "1"), ("x-dup", "2")]),
        "count-overruns": encode(version, good, count=len(good) + 3),
        "name-length-overruns": (
            encode(version, good, count=len(good) + 1) + struct.pack(fmt, 50) + b"abc"
        ),
        "empty-value-segment": encode(version, good + [("x-multi", "a\x00\x00b")]),
        "leading-nul-value": encode(version, good + [("x-multi", "\x00a")]),
        "trailing-nul-value": encode(version, good + [("x-multi", "a\x00")]),
    }


BAD_BLOCK_KINDS = [
    "empty-name",
    "upper-case-name",
    "duplicate-name",
    "count-overruns",
    "name-length-overruns",
    "empty-value-segment",
    "leading-nul-value",
    "trailing-nul-value",
]


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 tears the connection down for some stream-level faults"
)
@pytest.mark.parametrize("kind", BAD_BLOCK_KINDS)
def test_invalid_header_block_in_syn_stream_is_a_stream_error(version, kind):
    peer = server(version)
    raw_block = _bad_blocks(version)[kind]
    block = peer.enc.compressor.compress_raw(raw_block)
    raw = peer.enc.syn_stream(1, None, flags=spdywire.FLAG_FIN, block=block)
    peer.feed(raw)
    assert parse_errors(peer) == [
        (spdywire.SYN_STREAM, raw[:8], raw[8:], spdylay.ERR_INVALID_HEADER_BLOCK)
    ]
    assert peer.rec.calls("on_ctrl_recv_cb") == []
    assert peer.rec.calls("on_request_recv_cb") == []
    assert_stream_error(peer, 1, spdylay.PROTOCOL_ERROR)
    assert_still_serving(peer, version, 3)


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 tears the connection down for some stream-level faults"
)
@pytest.mark.parametrize("kind", ["upper-case-name", "duplicate-name"])
def test_invalid_header_block_in_syn_reply_resets_our_stream(version, kind):
    peer = client_with_request(version)
    block = peer.enc.compressor.compress_raw(_bad_blocks(version)[kind])
    raw = peer.enc.syn_reply(1, None, block=block)
    peer.feed(raw)
    assert parse_errors(peer) == [
        (spdywire.SYN_REPLY, raw[:8], raw[8:], spdylay.ERR_INVALID_HEADER_BLOCK)
    ]
    assert_stream_error(peer, 1, spdylay.PROTOCOL_ERROR)
    assert peer.rec.calls("on_stream_close_cb") == [(1, spdylay.PROTOCOL_ERROR)]


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 tears the connection down for some stream-level faults"
)
def test_invalid_header_block_in_headers(version):
    peer = server(version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, POST_NV)))
    peer.rec.clear()
    block = peer.enc.compressor.compress_raw(spdywire.encode_nv(version, [("", "empty name")]))
    raw = peer.enc.headers(1, None, block=block)
    peer.feed(raw)
    assert parse_errors(peer) == [
        (spdywire.HEADERS, raw[:8], raw[8:], spdylay.ERR_INVALID_HEADER_BLOCK)
    ]
    assert_stream_error(peer, 1, spdylay.PROTOCOL_ERROR)


@pytest.mark.parametrize("frame_type", [spdywire.SYN_STREAM, spdywire.SYN_REPLY])
def test_garbage_instead_of_zlib_is_a_session_error(version, frame_type):
    peer = client_with_request(version) if frame_type == spdywire.SYN_REPLY else server(version)
    garbage = b"\xde\xad\xbe\xef" * 8
    if frame_type == spdywire.SYN_STREAM:
        raw = peer.enc.syn_stream(1, None, block=garbage)
    else:
        raw = peer.enc.syn_reply(1, None, block=garbage)
    peer.feed(raw)
    assert parse_errors(peer) == [(frame_type, raw[:8], raw[8:], spdylay.ERR_ZLIB)]
    assert peer.rec.calls("on_ctrl_recv_cb") == []
    assert_session_failed(peer, version)


def test_header_block_compressed_with_the_wrong_dictionary(version):
    peer = server(version)
    wrong = spdywire.HeaderCompressor(3 if wire_version(version) == 2 else 2)
    block = wrong.compress(nv_on_wire(version, REQUEST_NV))
    raw = peer.enc.syn_stream(1, None, block=block)
    peer.feed(raw)
    assert parse_errors(peer) == [(spdywire.SYN_STREAM, raw[:8], raw[8:], spdylay.ERR_ZLIB)]
    assert_session_failed(peer, version)


# --- stream IDs and stream states ---------------------------------------------


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 answers some bad SPDY/2 stream IDs differently (RST_STREAM or GOAWAY)"
)
@pytest.mark.parametrize("bad", ["zero", "wrong-parity", "not-increasing"])
def test_syn_stream_with_a_bad_id(version, bad):
    """SPDY/3 makes these session errors (GOAWAY).  SPDY/2 answers a bad but
    nonzero ID with RST_STREAM PROTOCOL_ERROR and goes on; ID 0 cannot be reset,
    so it fails the session there too."""
    peer = server(version)
    last_good = 0
    if bad == "not-increasing":
        peer.feed(peer.enc.syn_stream(5, nv_on_wire(version, REQUEST_NV)))
        last_good = 5
    stream_id = {"zero": 0, "wrong-parity": 2, "not-increasing": 3}[bad]
    peer.feed(peer.enc.syn_stream(stream_id, nv_on_wire(version, REQUEST_NV)))
    assert [f.stream_id for (f,) in peer.rec.calls("on_ctrl_recv_cb")] == (
        [5] if bad == "not-increasing" else []
    )
    if version == SPDY2 and stream_id != 0:
        assert_stream_error(peer, stream_id, spdylay.PROTOCOL_ERROR)
    else:
        assert_session_failed(peer, version, last_good)


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 answers some bad SPDY/2 stream IDs differently (RST_STREAM or GOAWAY)"
)
def test_server_syn_stream_with_a_client_id(version):
    peer = client_with_request(version)
    peer.feed(
        peer.enc.syn_stream(
            3,
            nv_on_wire(version, REQUEST_NV),
            assoc_stream_id=1,
            flags=spdywire.FLAG_UNIDIRECTIONAL,
        )
    )
    assert peer.rec.calls("on_ctrl_recv_cb") == []
    if version == SPDY2:
        assert_stream_error(peer, 3, spdylay.PROTOCOL_ERROR)
    else:
        assert_session_failed(peer, version)


def test_syn_stream_reusing_an_open_stream_id(version):
    peer = server(version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, POST_NV)))
    peer.rec.clear()
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, POST_NV)))
    # SPDY/3 section 2.3.2: PROTOCOL_ERROR (STREAM_IN_USE answers SYN_REPLY).
    assert_stream_error(peer, 1, spdylay.PROTOCOL_ERROR, spdylay.SYN_STREAM)


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 resets unknown streams with PROTOCOL_ERROR, not INVALID_STREAM"
)
def test_syn_reply_for_an_unknown_stream(version):
    peer = client_with_request(version)
    peer.feed(peer.enc.syn_reply(3, nv_on_wire(version, RESPONSE_NV)))
    assert_stream_error(peer, 3, spdylay.INVALID_STREAM, spdylay.SYN_REPLY)
    assert peer.rec.calls("on_ctrl_recv_cb") == []


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 resets unknown streams with PROTOCOL_ERROR, not INVALID_STREAM"
)
def test_syn_reply_for_a_stream_the_peer_opened(version):
    peer = server(version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, POST_NV)))
    peer.rec.clear()
    peer.feed(peer.enc.syn_reply(1, nv_on_wire(version, RESPONSE_NV)))
    assert_stream_error(peer, 1, spdylay.INVALID_STREAM, spdylay.SYN_REPLY)


def test_second_syn_reply(version):
    peer = client_with_request(version)
    peer.feed(peer.enc.syn_reply(1, nv_on_wire(version, RESPONSE_NV)))
    peer.feed(peer.enc.syn_reply(1, nv_on_wire(version, RESPONSE_NV)))
    status = by_version(version, spdylay.PROTOCOL_ERROR, spdylay.STREAM_IN_USE)
    assert_stream_error(peer, 1, status, spdylay.SYN_REPLY)
    assert peer.rec.calls("on_stream_close_cb") == [(1, status)]


@pytest.mark.bundled_core(reason="libspdylay 1.4 drops DATA for unknown streams silently")
def test_data_for_an_unknown_stream(version):
    peer = server(version)
    peer.feed(peer.enc.data(7, b"stray"))
    assert_stream_error(peer, 7, spdylay.INVALID_STREAM)
    assert peer.rec.calls("on_data_recv_cb") == []


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 tears the connection down for some stream-level faults"
)
def test_data_after_the_peer_finished_its_side(version):
    peer = server(version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV), flags=spdywire.FLAG_FIN))
    peer.rec.clear()
    peer.feed(peer.enc.data(1, b"late"))
    status = by_version(version, spdylay.PROTOCOL_ERROR, spdylay.STREAM_ALREADY_CLOSED)
    assert_stream_error(peer, 1, status)
    assert peer.rec.calls("on_data_recv_cb") == []
    assert peer.rec.calls("on_stream_close_cb") == [(1, status)]


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 tears the connection down for some stream-level faults"
)
def test_headers_after_the_peer_finished_its_side(version):
    peer = server(version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV), flags=spdywire.FLAG_FIN))
    peer.rec.clear()
    peer.feed(peer.enc.headers(1, [("x-late", "1")]))
    status = by_version(version, spdylay.PROTOCOL_ERROR, spdylay.STREAM_ALREADY_CLOSED)
    assert_stream_error(peer, 1, status, spdylay.HEADERS)


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 resets unknown streams with PROTOCOL_ERROR, not INVALID_STREAM"
)
def test_headers_for_an_unknown_stream(version):
    peer = server(version)
    peer.feed(peer.enc.headers(9, [("x-stray", "1")]))
    assert_stream_error(peer, 9, spdylay.INVALID_STREAM, spdylay.HEADERS)


def test_data_on_our_stream_before_its_syn_reply(version):
    peer = client_with_request(version)
    peer.feed(peer.enc.data(1, b"too early"))
    assert peer.rec.calls("on_data_recv_cb") == []
    if version == SPDY2:
        # A session error in SPDY/2, as libspdylay 1.4 has it.
        assert_session_failed(peer, version)
        return
    assert_stream_error(peer, 1, spdylay.PROTOCOL_ERROR)
    assert peer.rec.calls("on_stream_close_cb") == [(1, spdylay.PROTOCOL_ERROR)]


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 tears the connection down for some stream-level faults"
)
def test_frames_for_a_stream_being_reset_are_dropped(version):
    """Once a stream error queued its RST_STREAM, later frames for that stream
    are dropped rather than answered with more RST_STREAMs."""
    peer = server(version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV), flags=spdywire.FLAG_FIN))
    peer.rec.clear()
    peer.feed(
        peer.enc.data(1, b"late")
        + peer.enc.data(1, b"later")
        + peer.enc.headers(1, [("x-in", "flight")])
    )
    status = by_version(version, spdylay.PROTOCOL_ERROR, spdylay.STREAM_ALREADY_CLOSED)
    assert_stream_error(peer, 1, status)
    assert peer.rec.calls("on_data_recv_cb") == []
    assert peer.rec.calls("on_ctrl_recv_cb") == []
    assert peer.rec.calls("on_invalid_ctrl_recv_cb") == []
    assert_still_serving(peer, version, 3)


# --- size limits --------------------------------------------------------------


def _huge_header_syn_stream(version, stream_id, target_bytes):
    """A SYN_STREAM whose header block inflates to ``target_bytes`` and more, built
    piece by piece so the test itself never holds the inflated block."""
    enc = spdywire.Encoder(version)
    value_length = 65000
    count = target_bytes // value_length + 1
    head_pairs = nv_on_wire(version, REQUEST_NV)
    fmt = ">H" if wire_version(version) == 2 else ">I"
    deflater = enc.compressor
    parts = [
        deflater.compress_piece(
            spdywire.encode_nv(version, head_pairs, count=len(head_pairs) + count)
        )
    ]
    value = b"v" * value_length
    for i in range(count):
        name = ("x-big-%05d" % i).encode()
        parts.append(
            deflater.compress_piece(
                struct.pack(fmt, len(name)) + name + struct.pack(fmt, value_length)
            )
        )
        parts.append(deflater.compress_piece(value))
    parts.append(deflater.flush_block())
    block = b"".join(parts)
    return enc, enc.syn_stream(stream_id, None, flags=spdywire.FLAG_FIN, block=block)


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 hands on_invalid_ctrl_recv_cb the frame with a NULL nv instead"
)
def test_header_block_inflating_past_the_buffer_limit(version):
    limit = 1 << 20
    enc, raw = _huge_header_syn_stream(version, 1, 10 * 1000 * 1000)
    assert len(raw) < limit
    # The header list bounds, lifted, would otherwise give the block up
    # before the buffer limit matters.
    config = {
        spdylay.OPT_MAX_RECV_CTRL_FRAME_BUFFER: limit,
        spdylay.OPT_MAX_HEADER_LIST_COUNT: 0,
        spdylay.OPT_MAX_HEADER_LIST_SIZE: 0,
    }
    peer = server(version, config=config)
    peer.enc = enc
    peer.feed(raw)
    assert parse_errors(peer) == [
        (spdywire.SYN_STREAM, raw[:8], raw[8:], spdylay.ERR_INVALID_FRAME)
    ]
    assert peer.rec.calls("on_ctrl_recv_cb") == []
    status = by_version(version, spdylay.PROTOCOL_ERROR, spdylay.FRAME_TOO_LARGE)
    assert_stream_error(peer, 1, status)
    assert_still_serving(peer, version, 3)


@pytest.mark.bundled_core(reason="libspdylay 1.4 inflates a header block to its end")
def test_header_block_inflating_past_16_mib_is_given_up(version):
    """Inflating without end would let one small frame cost seconds: past
    16 MiB (or the buffer limit, if larger) the block is not inflated
    further, its compression context is lost and the session fails."""
    enc, raw = _huge_header_syn_stream(version, 1, 50 * 1000 * 1000)
    assert len(raw) < 1 << 20
    peer = server(version, config={spdylay.OPT_MAX_RECV_CTRL_FRAME_BUFFER: 1 << 20})
    peer.enc = enc
    peer.feed(raw)
    assert parse_errors(peer) == [(spdywire.SYN_STREAM, raw[:8], raw[8:], spdylay.ERR_ZLIB)]
    assert peer.rec.calls("on_ctrl_recv_cb") == []
    assert_session_failed(peer, version)


_MEMORY_PROBE = r"""
import resource, sys
sys.path.insert(0, sys.argv[3])
import spdylay
frame = open(sys.argv[1], "rb").read()
sent = []
config = {spdylay.OPT_MAX_RECV_CTRL_FRAME_BUFFER: 1 << 20,
          spdylay.OPT_MAX_HEADER_LIST_COUNT: 0, spdylay.OPT_MAX_HEADER_LIST_SIZE: 0}
send_cb = lambda s, data: sent.append(bytes(data)) or len(data)
try:
    session = spdylay.Session(spdylay.SERVER, int(sys.argv[2]), config=config, send_cb=send_cb)
except spdylay.InvalidArgumentError:
    # libspdylay 1.4 has no header list bounds to lift.
    del config[spdylay.OPT_MAX_HEADER_LIST_COUNT], config[spdylay.OPT_MAX_HEADER_LIST_SIZE]
    session = spdylay.Session(spdylay.SERVER, int(sys.argv[2]), config=config, send_cb=send_cb)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
session.recv(frame)
session.send()
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(after - before, len(b"".join(sent)))
"""


def test_oversized_header_block_is_refused_without_allocating_it(version):
    """The peak memory of a process fed a 10 MB header block barely moves."""
    _, raw = _huge_header_syn_stream(version, 1, 10 * 1000 * 1000)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "frame")
        with open(path, "wb") as handle:
            handle.write(raw)
        out = subprocess.run(
            [sys.executable, "-c", _MEMORY_PROBE, path, str(version), PACKAGE_ROOT],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    grown_kib, sent_length = map(int, out.split())
    assert sent_length == 16  # the RST_STREAM
    assert grown_kib < 16 * 1024


@pytest.mark.bundled_core(reason="libspdylay 1.4 keeps processing input after a session error")
def test_header_frame_longer_than_the_buffer_is_a_session_error(version):
    peer = server(version, config={spdylay.OPT_MAX_RECV_CTRL_FRAME_BUFFER: 8192})
    incompressible = os.urandom(12000).hex()
    raw = peer.enc.syn_stream(
        1, nv_on_wire(version, REQUEST_NV) + [("x-noise", incompressible)], flags=spdywire.FLAG_FIN
    )
    assert len(raw) > 8192 + 8
    peer.feed(raw + peer.enc.ping(1))
    assert peer.rec.calls("on_ctrl_recv_cb") == []
    assert_session_failed(peer, version)


def test_other_frame_longer_than_the_buffer_is_skipped(version):
    config = {
        spdylay.OPT_MAX_RECV_CTRL_FRAME_BUFFER: 8192,
        # A core with spdylay's peer limits would otherwise fail the
        # session on the SETTINGS entry bound first.
        spdylay.OPT_MAX_SETTINGS_ENTRIES: 0,
    }
    try:
        peer = server(version, config=config)
    except spdylay.InvalidArgumentError:
        # libspdylay 1.4 has no such option, and no such bound.
        del config[spdylay.OPT_MAX_SETTINGS_ENTRIES]
        peer = server(version, config=config)
    entries = [(spdylay.SETTINGS_ROUND_TRIP_TIME, 0, i) for i in range(2000)]
    raw = peer.enc.settings(entries)
    assert len(raw) > 8192 + 8
    for i in range(0, len(raw), 1000):
        peer.feed(raw[i : i + 1000])
    peer.feed(peer.enc.ping(1))
    assert [f.frame_type for (f,) in peer.rec.calls("on_ctrl_recv_cb")] == [spdylay.PING]
    assert summary(peer.sent()) == [(spdywire.PING,)]
    assert_still_serving(peer, version, 1)
