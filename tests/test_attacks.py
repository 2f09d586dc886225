"""A hostile peer against the bounds of issue 8: what each attack costs, with
and without its defence, and what the peer is answered when it crosses it.

The first half drives a Session in this process, per protocol version, with
small bounds so that each answer is checked exactly at its edge.  The second
half runs each attack of tests/attacks.py at full size in a fresh process
(so that its peak RSS is its own), checks the bound holds with the defaults
and is crossed without the defence, and prints the figures that
docs/safety.rst records (run with ``-s`` to see them).
"""

import json
import os
import subprocess
import sys

import pytest
from helpers import REQUEST_NV, RESPONSE_NV, RawPeer, nv_on_wire

import spdylay

import spdywire

SPDY2 = spdylay.PROTO_SPDY2
HERE = os.path.dirname(os.path.abspath(__file__))

SANITIZED = "libasan" in os.environ.get("LD_PRELOAD", "")

pytestmark = pytest.mark.bundled_core(
    reason="the peer-limit options are spdylay extensions; libspdylay 1.4 has none"
)


def server(version, config, **kwargs):
    return RawPeer(spdylay.SERVER, version, config=config, **kwargs)


def request(version, extra=()):
    return nv_on_wire(version, REQUEST_NV) + list(extra)


def answers(peer):
    """What the session sends, as (type, stream or last-good ID, status)."""
    out = []
    for frame in peer.sent():
        if not frame.control:
            out.append(("DATA", frame.stream_id))
        elif frame.type == spdywire.RST_STREAM:
            out.append(("RST_STREAM", frame.stream_id, frame.status_code))
        elif frame.type == spdywire.GOAWAY:
            out.append(("GOAWAY", frame.status_code))
        else:
            out.append((frame.type,))
    return out


def goaway(version):
    return ("GOAWAY", None if version == SPDY2 else spdylay.GOAWAY_PROTOCOL_ERROR)


def too_large(version):
    return spdylay.PROTOCOL_ERROR if version == SPDY2 else spdylay.FRAME_TOO_LARGE


def stream_ids_seen(peer, frame_type=spdylay.SYN_STREAM):
    return [
        frame.stream_id
        for (frame,) in peer.rec.calls("on_ctrl_recv_cb")
        if frame.frame_type == frame_type
    ]


# --- header lists (defect 4) ---------------------------------------------------


def test_header_list_count_is_checked_per_value(version):
    """NUL-separated values count one by one, before any frame object exists."""
    peer = server(version, {spdylay.OPT_MAX_HEADER_LIST_COUNT: len(REQUEST_NV) + 3})
    peer.feed(
        peer.enc.syn_stream(1, request(version, [("x-v", "a\0b\0c")]), flags=spdywire.FLAG_FIN)
    )
    peer.feed(
        peer.enc.syn_stream(3, request(version, [("x-v", "a\0b\0c\0d")]), flags=spdywire.FLAG_FIN)
    )
    assert stream_ids_seen(peer) == [1]
    assert answers(peer) == [("RST_STREAM", 3, too_large(version))]
    assert [code for *_, code in peer.rec.calls("on_ctrl_recv_parse_error_cb")] == [
        spdylay.ERR_INVALID_FRAME
    ]
    assert peer.session.want_read()


def decoded_size(nv):
    return sum(len(name) + len(value) for name, value in nv)


def test_header_list_size_counts_names_and_values(version):
    """Names as decoded (SPDY/2's translated) and values, byte by byte."""
    base = decoded_size(REQUEST_NV)
    peer = server(version, {spdylay.OPT_MAX_HEADER_LIST_SIZE: base + 10})
    peer.feed(
        peer.enc.syn_stream(1, request(version, [("x-v", "1234567")]), flags=spdywire.FLAG_FIN)
    )
    peer.feed(
        peer.enc.syn_stream(3, request(version, [("x-v", "12345678")]), flags=spdywire.FLAG_FIN)
    )
    assert stream_ids_seen(peer) == [1]
    assert answers(peer) == [("RST_STREAM", 3, too_large(version))]


def test_header_list_default_bounds(version):
    """1000 entries and 65536 bytes of names and values pass; one more fails."""
    peer = server(version, {})
    entries = len(REQUEST_NV)
    peer.feed(
        peer.enc.syn_stream(
            1,
            request(version, [("x", "\0".join(["v"] * (1000 - entries)))]),
            flags=spdywire.FLAG_FIN,
        )
    )
    peer.feed(
        peer.enc.syn_stream(
            3,
            request(version, [("x", "\0".join(["v"] * (1001 - entries)))]),
            flags=spdywire.FLAG_FIN,
        )
    )
    base = decoded_size(REQUEST_NV) + 1
    peer.feed(
        peer.enc.syn_stream(
            5, request(version, [("x", "v" * (65536 - base))]), flags=spdywire.FLAG_FIN
        )
    )
    peer.feed(
        peer.enc.syn_stream(
            7, request(version, [("x", "v" * (65537 - base))]), flags=spdywire.FLAG_FIN
        )
    )
    assert stream_ids_seen(peer) == [1, 5]
    assert answers(peer) == [
        ("RST_STREAM", 3, too_large(version)),
        ("RST_STREAM", 7, too_large(version)),
    ]


def test_header_list_bounds_lifted(version):
    peer = server(version, {spdylay.OPT_MAX_HEADER_LIST_COUNT: 0})
    peer.feed(
        peer.enc.syn_stream(
            1, request(version, [("x", "\0".join(["v"] * 5000))]), flags=spdywire.FLAG_FIN
        )
    )
    assert stream_ids_seen(peer) == [1]
    (frame,) = [f for (f,) in peer.rec.calls("on_ctrl_recv_cb")]
    assert sum(1 for name, _ in frame.nv if name == "x") == 5000


def inflating_to(peer, length):
    """A header block that inflates to exactly ``length`` bytes."""
    compressor = peer.enc.compressor
    return compressor.compress_piece(b"\0" * length) + compressor.flush_block()


# With 10 entries and 100 bytes the session keeps 4 + 9 * 10 + 100 bytes of
# an inflated block, and inflates at most twice that.
SMALL_LISTS = {spdylay.OPT_MAX_HEADER_LIST_COUNT: 10, spdylay.OPT_MAX_HEADER_LIST_SIZE: 100}
KEPT = 4 + 9 * 10 + 100


def test_block_inflating_past_what_is_kept_resets_its_stream(version):
    """Up to twice what the lists keep, the block is inflated to the end, so
    the compression context survives the reset and the next stream works."""
    peer = server(version, SMALL_LISTS)
    peer.feed(
        peer.enc.syn_stream(1, None, flags=spdywire.FLAG_FIN, block=inflating_to(peer, KEPT + 1))
    )
    peer.feed(
        peer.enc.syn_stream(3, None, flags=spdywire.FLAG_FIN, block=inflating_to(peer, 2 * KEPT))
    )
    peer.feed(peer.enc.syn_stream(5, request(version), flags=spdywire.FLAG_FIN))
    assert stream_ids_seen(peer) == [5]
    assert answers(peer) == [
        ("RST_STREAM", 1, too_large(version)),
        ("RST_STREAM", 3, too_large(version)),
    ]
    assert peer.session.want_read()


def test_block_inflating_past_twice_what_is_kept_fails_the_session(version):
    """Inflating further only to keep the compression context would let a
    16 KB frame cost 16 MiB of zlib work, again and again: the session ends."""
    peer = server(version, SMALL_LISTS)
    peer.feed(
        peer.enc.syn_stream(
            1, None, flags=spdywire.FLAG_FIN, block=inflating_to(peer, 2 * KEPT + 1)
        )
    )
    assert stream_ids_seen(peer) == []
    assert answers(peer) == [goaway(version)]
    assert [code for *_, code in peer.rec.calls("on_ctrl_recv_parse_error_cb")] == [
        spdylay.ERR_ZLIB
    ]
    assert not peer.session.want_read()


@pytest.mark.parametrize("buffer", [None, 8192], ids=["default_buffer", "small_buffer"])
def test_default_inflate_bound_fails_a_16_kb_bomb(version, buffer):
    """The default lists keep 74,540 bytes of a block; one that inflates to
    twice that passes as a reset, one byte more ends the session, also when
    a smaller buffer limit keeps less of it."""
    kept = 4 + 9 * 1000 + 65536
    peer = server(
        version, {} if buffer is None else {spdylay.OPT_MAX_RECV_CTRL_FRAME_BUFFER: buffer}
    )
    peer.feed(
        peer.enc.syn_stream(1, None, flags=spdywire.FLAG_FIN, block=inflating_to(peer, 2 * kept))
    )
    assert answers(peer) == [("RST_STREAM", 1, too_large(version))]
    peer.feed(
        peer.enc.syn_stream(
            3, None, flags=spdywire.FLAG_FIN, block=inflating_to(peer, 2 * kept + 1)
        )
    )
    assert answers(peer) == [goaway(version)]


def test_inflate_bound_lifted_with_the_list_bounds(version):
    """Without header list bounds a block may inflate up to the buffer
    limit, as before: a reset, not the end of the session."""
    peer = server(
        version, {spdylay.OPT_MAX_HEADER_LIST_COUNT: 0, spdylay.OPT_MAX_HEADER_LIST_SIZE: 0}
    )
    peer.feed(
        peer.enc.syn_stream(1, None, flags=spdywire.FLAG_FIN, block=inflating_to(peer, 1024 * 1024))
    )
    assert answers(peer) == [("RST_STREAM", 1, spdylay.PROTOCOL_ERROR)]
    assert peer.session.want_read()


def test_headers_frame_past_the_list_bound_resets_its_stream(version):
    peer = server(version, {spdylay.OPT_MAX_HEADER_LIST_COUNT: 2})
    peer.feed(peer.enc.syn_stream(1, [("a", "1"), ("b", "2")]))
    peer.feed(peer.enc.headers(1, [("c", "1"), ("d", "2"), ("e", "3")]))
    assert stream_ids_seen(peer, spdylay.HEADERS) == []
    assert answers(peer) == [("RST_STREAM", 1, too_large(version))]


def test_headers_frames_add_up_to_one_header_list(version):
    """HEADERS frames each within the bound still add to their stream's
    list: a peer may not grow one stream's headers without end."""
    peer = server(version, {spdylay.OPT_MAX_HEADER_LIST_COUNT: len(REQUEST_NV) + 4})
    peer.feed(peer.enc.syn_stream(1, request(version)))
    more = [("x-a", "1"), ("x-b", "2"), ("x-c", "3")]
    peer.feed(peer.enc.headers(1, more))
    assert answers(peer) == []
    peer.feed(peer.enc.headers(1, more))
    assert stream_ids_seen(peer, spdylay.HEADERS) == [1]
    assert answers(peer) == [("RST_STREAM", 1, too_large(version))]


def test_response_headers_add_up_to_the_size_bound(version):
    """The client side too: SYN_REPLY and its HEADERS are one list."""
    peer = RawPeer(
        spdylay.CLIENT,
        version,
        config={spdylay.OPT_MAX_HEADER_LIST_SIZE: decoded_size(RESPONSE_NV) + 20},
    )
    peer.session.submit_request(0, REQUEST_NV)
    peer.sent()
    peer.feed(peer.enc.syn_reply(1, nv_on_wire(version, RESPONSE_NV)))
    peer.feed(peer.enc.headers(1, [("x-a", "v" * 17)]))
    assert answers(peer) == []
    peer.feed(peer.enc.headers(1, [("x-b", "v")]))
    assert stream_ids_seen(peer, spdylay.HEADERS) == [1]
    assert answers(peer) == [("RST_STREAM", 1, too_large(version))]


def test_headers_frames_unbounded_when_the_bounds_are_lifted(version):
    peer = server(
        version, {spdylay.OPT_MAX_HEADER_LIST_COUNT: 0, spdylay.OPT_MAX_HEADER_LIST_SIZE: 0}
    )
    peer.feed(peer.enc.syn_stream(1, request(version)))
    peer.feed(b"".join(peer.enc.headers(1, [("x-%d" % i, "v" * 100)]) for i in range(1000)))
    assert len(stream_ids_seen(peer, spdylay.HEADERS)) == 1000
    assert answers(peer) == []


# --- automatic replies (defect 5) ------------------------------------------------


class Unwritable:
    """A send_cb for a peer that never reads: it always would block."""

    def __init__(self):
        self.open = False
        self.wire = bytearray()

    def __call__(self, session, data):
        if not self.open:
            return None
        self.wire += data
        return len(data)


def test_ping_replies_past_the_bound_fail_the_session(version):
    writer = Unwritable()
    peer = server(version, {spdylay.OPT_MAX_AUTO_REPLIES: 5}, send_cb=writer)
    peer.feed(b"".join(peer.enc.ping(2 * i + 1) for i in range(5)))
    assert peer.session.get_outbound_queue_size() == 5
    assert peer.session.want_read()
    peer.feed(peer.enc.ping(11) + peer.enc.ping(13))
    assert not peer.session.want_read()
    assert peer.session.get_outbound_queue_size() == 7  # 6 PINGs, 1 GOAWAY
    writer.open = True
    peer.session.send()
    frames = spdywire.parse_all(version, bytes(writer.wire))
    assert [f.type for f in frames] == [spdywire.PING] * 6 + [spdywire.GOAWAY]


def test_default_bound_on_automatic_replies(version):
    peer = server(version, {}, send_cb=Unwritable())
    peer.feed(b"".join(peer.enc.ping(2 * i + 1) for i in range(1000)))
    assert peer.session.want_read()
    peer.feed(peer.enc.ping(2001))
    assert not peer.session.want_read()
    assert peer.session.get_outbound_queue_size() == 1002


def test_rst_streams_answering_bad_frames_count_as_replies(version):
    peer = server(version, {spdylay.OPT_MAX_AUTO_REPLIES: 3}, send_cb=Unwritable())
    # DATA on streams that do not exist: each answered with RST_STREAM.
    peer.feed(b"".join(peer.enc.data(2 * i + 1, b"x") for i in range(4)))
    assert not peer.session.want_read()


def test_replies_sent_make_room_again(version):
    writer = Unwritable()
    peer = server(version, {spdylay.OPT_MAX_AUTO_REPLIES: 3}, send_cb=writer)
    for round_ in range(5):
        peer.feed(b"".join(peer.enc.ping(6 * round_ + 2 * i + 1) for i in range(3)))
        writer.open = True
        peer.session.send()
        writer.open = False
    assert peer.session.want_read()
    assert len(spdywire.parse_all(version, bytes(writer.wire))) == 15


def test_stop_reading_instead_of_failing(version):
    """With OPT_AUTO_REPLIES_STOP_READING, recv() stops asking recv_cb for
    more once the bound is reached, and reads on once the replies are out."""
    writer = Unwritable()
    enc = spdywire.Encoder(version)
    incoming = [enc.ping(2 * i + 1) for i in range(10)]
    reads = []

    def recv_cb(session, length):
        if not incoming:
            return None
        reads.append(incoming.pop(0))
        return reads[-1]

    peer = server(
        version,
        {spdylay.OPT_MAX_AUTO_REPLIES: 4, spdylay.OPT_AUTO_REPLIES_STOP_READING: True},
        send_cb=writer,
        recv_cb=recv_cb,
    )
    peer.session.recv()
    assert len(reads) == 4
    assert not peer.session.want_read()
    assert peer.session.want_write()
    writer.open = True
    peer.session.send()
    assert peer.session.want_read()
    writer.open = False
    peer.session.recv()
    assert len(reads) == 8
    writer.open = True
    peer.session.send()
    peer.session.recv()
    peer.session.send()
    frames = spdywire.parse_all(version, bytes(writer.wire))
    assert [f.unique_id for f in frames] == [2 * i + 1 for i in range(10)]


def test_stop_reading_with_fed_bytes_processes_them_all(version):
    """recv(data) consumes all of data; the bound then shows in want_read()."""
    peer = server(
        version,
        {spdylay.OPT_MAX_AUTO_REPLIES: 4, spdylay.OPT_AUTO_REPLIES_STOP_READING: True},
        send_cb=Unwritable(),
    )
    peer.feed(b"".join(peer.enc.ping(2 * i + 1) for i in range(6)))
    assert peer.session.get_outbound_queue_size() == 6
    assert not peer.session.want_read()


def test_automatic_replies_unbounded(version):
    peer = server(version, {spdylay.OPT_MAX_AUTO_REPLIES: 0}, send_cb=Unwritable())
    peer.feed(b"".join(peer.enc.ping(2 * i + 1) for i in range(3000)))
    assert peer.session.want_read()
    assert peer.session.get_outbound_queue_size() == 3000


# --- floods -------------------------------------------------------------------


def test_settings_with_too_many_entries_fail_the_session(version):
    peer = server(version, {spdylay.OPT_MAX_SETTINGS_ENTRIES: 2})
    two = [(spdylay.SETTINGS_ROUND_TRIP_TIME, 0, 1), (spdylay.SETTINGS_CURRENT_CWND, 0, 2)]
    peer.feed(peer.enc.settings(two))
    assert peer.session.want_read()
    three = two + [(spdylay.SETTINGS_DOWNLOAD_RETRANS_RATE, 0, 3)]
    peer.feed(peer.enc.settings(three))
    assert [f.frame_type for (f,) in peer.rec.calls("on_ctrl_recv_cb")] == [spdylay.SETTINGS]
    assert [code for *_, code in peer.rec.calls("on_ctrl_recv_parse_error_cb")] == [
        spdylay.ERR_INVALID_FRAME
    ]
    assert answers(peer) == [goaway(version)]
    assert not peer.session.want_read()


def test_settings_default_entry_bound(version):
    peer = server(version, {})
    entries = [(spdylay.SETTINGS_ROUND_TRIP_TIME, 0, i) for i in range(33)]
    peer.feed(peer.enc.settings(entries[:32]))
    assert peer.session.want_read()
    peer.feed(peer.enc.settings(entries))
    assert answers(peer) == [goaway(version)]


def _open_and_reset(peer, version, stream_id):
    return peer.enc.syn_stream(stream_id, request(version)) + peer.enc.rst_stream(
        stream_id, spdylay.CANCEL
    )


def test_rapid_reset_fails_the_session(version):
    peer = server(version, {spdylay.OPT_MAX_PEER_RESETS: 3})
    peer.feed(b"".join(_open_and_reset(peer, version, 2 * i + 1) for i in range(3)))
    assert peer.session.want_read()
    peer.feed(_open_and_reset(peer, version, 7) + _open_and_reset(peer, version, 9))
    assert stream_ids_seen(peer) == [1, 3, 5, 7]
    assert answers(peer) == [goaway(version)]


@pytest.mark.parametrize("status_code", [0, spdylay.CANCEL], ids=["status0", "cancel"])
def test_a_reset_never_pays_itself_back(version, status_code):
    """Only a stream that completed gives a reset back, whatever status code
    the peer's RST_STREAM carries (0 is OK's number, which a normal close
    uses)."""
    peer = server(version, {spdylay.OPT_MAX_PEER_RESETS: 3})
    peer.feed(
        b"".join(
            peer.enc.syn_stream(2 * i + 1, request(version))
            + peer.enc.rst_stream(2 * i + 1, status_code)
            for i in range(4)
        )
    )
    assert answers(peer) == [goaway(version)]


def test_streams_the_peer_makes_us_reset_spend_the_same_budget(version):
    """Opening a stream and breaking a rule on it (here HEADERS after its
    FIN) makes us reset it: as cheap for the peer as resetting it itself."""
    peer = server(version, {spdylay.OPT_MAX_PEER_RESETS: 3})
    for i in range(3):
        peer.feed(
            peer.enc.syn_stream(2 * i + 1, request(version), flags=spdywire.FLAG_FIN)
            + peer.enc.headers(2 * i + 1, [("x-a", "1")])
        )
    assert goaway(version) not in answers(peer)
    peer.feed(
        peer.enc.syn_stream(7, request(version), flags=spdywire.FLAG_FIN)
        + peer.enc.headers(7, [("x-a", "1")])
    )
    assert answers(peer)[-1] == goaway(version)


@pytest.mark.parametrize("flaw", ["too_large", "malformed"])
def test_streams_refused_for_their_header_block_spend_the_same_budget(version, flaw):
    """A SYN_STREAM whose header block we refuse opens no stream, but costs
    us the inflation and a reset all the same."""
    peer = server(version, {spdylay.OPT_MAX_PEER_RESETS: 3, spdylay.OPT_MAX_HEADER_LIST_COUNT: 10})

    def refused(stream_id):
        if flaw == "too_large":
            nv = request(version, [("x-%d" % i, "v") for i in range(10)])
            return peer.enc.syn_stream(stream_id, nv, flags=spdywire.FLAG_FIN)
        # A block that inflates but does not parse: its count says one more
        # pair than it holds.
        compressor = peer.enc.compressor
        count = b"\0\1" if version == SPDY2 else b"\0\0\0\1"
        block = compressor.compress_piece(count) + compressor.flush_block()
        return peer.enc.syn_stream(stream_id, None, flags=spdywire.FLAG_FIN, block=block)

    peer.feed(b"".join(refused(2 * i + 1) for i in range(3)))
    assert goaway(version) not in answers(peer)
    peer.feed(refused(7))
    status = too_large(version) if flaw == "too_large" else spdylay.PROTOCOL_ERROR
    assert answers(peer) == [("RST_STREAM", 7, status), goaway(version)]
    assert stream_ids_seen(peer) == []


def test_completed_streams_pay_back_resets(version):
    """A client that cancels some requests but lets others finish is fine."""

    def respond(session, stream_id):
        session.submit_response(stream_id, RESPONSE_NV)

    peer = server(version, {spdylay.OPT_MAX_PEER_RESETS: 2}, on_request_recv_cb=respond)
    stream_id = 1
    for _ in range(10):
        peer.feed(
            _open_and_reset(peer, version, stream_id)
            + _open_and_reset(peer, version, stream_id + 2)
        )
        peer.feed(
            peer.enc.syn_stream(stream_id + 4, request(version), flags=spdywire.FLAG_FIN)
            + peer.enc.syn_stream(stream_id + 6, request(version), flags=spdywire.FLAG_FIN)
        )
        assert goaway(version) not in answers(peer)
        stream_id += 8
    assert peer.session.want_read()


def test_resets_of_our_own_streams_do_not_count(version):
    peer = RawPeer(spdylay.CLIENT, version, config={spdylay.OPT_MAX_PEER_RESETS: 1})
    for _ in range(3):
        peer.session.submit_request(0, REQUEST_NV)
    peer.sent()
    peer.feed(b"".join(peer.enc.rst_stream(2 * i + 1, spdylay.REFUSED_STREAM) for i in range(3)))
    assert peer.session.want_read()


# --- DATA on streams never opened -----------------------------------------------

SIDES = {"server": spdylay.SERVER, "client": spdylay.CLIENT}
PUSH_NV = [(":status", "200 OK"), (":version", "HTTP/1.1")] + [
    (name, value) for name, value in REQUEST_NV if name in (":scheme", ":host", ":path")
]


def unopened_ids(side, parity, count):
    """The first ``count`` stream IDs of the peer's or our own parity, none
    opened yet."""
    first = 1 if (side == "client") == (parity == "own") else 2
    return [first + 2 * i for i in range(count)]


def data_fin(peer, stream_id):
    """An 8-byte DATA frame: FIN and no payload, so not an empty frame."""
    return peer.enc.data(stream_id, b"", flags=spdywire.FLAG_FIN)


def invalid_stream(stream_ids):
    return [("RST_STREAM", stream_id, spdylay.INVALID_STREAM) for stream_id in stream_ids]


@pytest.mark.parametrize("parity", ["peer", "own"])
@pytest.mark.parametrize("side", SIDES)
def test_data_on_never_opened_streams_spends_the_reset_budget(version, side, parity):
    """Each is answered with a RST_STREAM twice its size, so a peer that
    sends them stream after stream spends the reset budget."""
    peer = RawPeer(SIDES[side], version, config={spdylay.OPT_MAX_PEER_RESETS: 3})
    stream_ids = unopened_ids(side, parity, 5)
    peer.feed(b"".join(data_fin(peer, stream_id) for stream_id in stream_ids[:3]))
    assert answers(peer) == invalid_stream(stream_ids[:3])
    assert peer.session.want_read()
    peer.feed(b"".join(data_fin(peer, stream_id) for stream_id in stream_ids[3:]))
    assert answers(peer) == [goaway(version)]
    assert not peer.session.want_read()


@pytest.mark.parametrize("budget", [None, 0], ids=["default", "unbounded"])
@pytest.mark.parametrize("parity", ["peer", "own"])
def test_data_on_never_opened_streams_default_budget_and_unbounded(version, parity, budget):
    config = {} if budget is None else {spdylay.OPT_MAX_PEER_RESETS: budget}
    peer = server(version, config)
    stream_ids = unopened_ids("server", parity, 1500)
    seen = []
    # A hundred at a time, each batch's answers sent before the next: the
    # automatic-reply bound stays out of the way.
    for start in range(0, len(stream_ids), 100):
        peer.feed(b"".join(data_fin(peer, i) for i in stream_ids[start : start + 100]))
        seen += answers(peer)
    if budget is None:
        assert seen == invalid_stream(stream_ids[:1000]) + [goaway(version)]
        assert not peer.session.want_read()
    else:
        assert seen == invalid_stream(stream_ids)
        assert peer.session.want_read()


def _closed_streams(peer, side):
    """Closes streams 1 to 4: of each parity, one finished (1 and 2) and one
    reset by us (3 and 4)."""
    if side == "server":
        peer.feed(
            peer.enc.syn_stream(1, request(peer.version), flags=spdywire.FLAG_FIN)
            + peer.enc.syn_stream(3, request(peer.version), flags=spdywire.FLAG_FIN)
        )
        for flags in (spdylay.CTRL_FLAG_FIN, spdylay.CTRL_FLAG_NONE):
            peer.session.submit_syn_stream(spdylay.CTRL_FLAG_UNIDIRECTIONAL | flags, 1, 0, PUSH_NV)
        peer.sent()
        peer.session.submit_response(1, RESPONSE_NV)
    else:
        peer.session.submit_request(0, REQUEST_NV)
        peer.session.submit_request(0, REQUEST_NV)
        peer.sent()
        push = spdywire.FLAG_UNIDIRECTIONAL
        peer.feed(
            peer.enc.syn_stream(2, PUSH_NV, flags=push | spdywire.FLAG_FIN, assoc_stream_id=1)
            + peer.enc.syn_stream(4, PUSH_NV, flags=push, assoc_stream_id=1)
            + peer.enc.syn_reply(1, nv_on_wire(peer.version, RESPONSE_NV), flags=spdywire.FLAG_FIN)
        )
    peer.session.submit_rst_stream(3, spdylay.CANCEL)
    peer.session.submit_rst_stream(4, spdylay.CANCEL)
    peer.sent()
    assert sorted(peer.rec.calls("on_stream_close_cb")) == [
        (1, spdylay.OK),
        (2, spdylay.OK),
        (3, spdylay.CANCEL),
        (4, spdylay.CANCEL),
    ]
    return [1, 2, 3, 4]


@pytest.mark.parametrize("side", SIDES)
def test_data_on_closed_streams_does_not_spend_the_reset_budget(version, side):
    """The peer may have sent DATA before it learnt that the stream closed:
    however much of it comes, the session goes on."""
    peer = RawPeer(SIDES[side], version, config={spdylay.OPT_MAX_PEER_RESETS: 3})
    closed = _closed_streams(peer, side)
    for _ in range(10):
        peer.feed(b"".join(data_fin(peer, stream_id) for stream_id in closed))
        assert answers(peer) == invalid_stream(closed)
    assert peer.session.want_read()


def test_data_after_our_goaway_does_not_spend_the_reset_budget(version):
    """After our GOAWAY, DATA on streams we did not open is answered with
    nothing, so it costs nothing either."""
    peer = server(version, {spdylay.OPT_MAX_PEER_RESETS: 3})
    peer.feed(peer.enc.syn_stream(1, request(version)))
    peer.session.submit_goaway(spdylay.GOAWAY_OK)
    peer.sent()
    peer.feed(b"".join(data_fin(peer, stream_id) for stream_id in range(2, 40)))
    assert answers(peer) == []
    assert peer.session.want_read()


def test_empty_frames_fail_the_session(version):
    peer = server(version, {spdylay.OPT_MAX_EMPTY_FRAMES: 3})
    peer.feed(peer.enc.syn_stream(1, request(version)))
    peer.feed(peer.enc.data(1, b"") + peer.enc.headers(1, []) + peer.enc.data(1, b""))
    assert peer.session.want_read()
    peer.feed(peer.enc.headers(1, []))
    assert answers(peer) == [goaway(version)]


def test_frames_that_carry_something_restart_the_empty_count(version):
    peer = server(version, {spdylay.OPT_MAX_EMPTY_FRAMES: 3})
    peer.feed(peer.enc.syn_stream(1, request(version)))
    for _ in range(10):
        peer.feed(peer.enc.data(1, b"") * 3 + peer.enc.data(1, b"x"))
        peer.feed(
            b"".join(peer.enc.headers(1, []) for _ in range(3))
            + peer.enc.headers(1, [("x-a", "1")])
        )
    peer.feed(peer.enc.data(1, b"") * 3 + peer.enc.data(1, b"", flags=spdywire.FLAG_FIN))
    assert peer.session.want_read()
    assert goaway(version) not in answers(peer)
    assert [args for args in peer.rec.calls("on_request_recv_cb")] == [(1,)]


def _dribble_peer(version, bound):
    body = b"x" * 100000

    def read_cb(session, stream_id, length, read_ctrl, source):
        return source[:length]

    def respond(session, stream_id):
        session.submit_response(stream_id, RESPONSE_NV, spdylay.DataProvider(body, read_cb))

    peer = server(
        version, {spdylay.OPT_MAX_SMALL_WINDOW_UPDATES: bound}, on_request_recv_cb=respond
    )
    peer.feed(
        peer.enc.settings([(spdylay.SETTINGS_INITIAL_WINDOW_SIZE, 0, 1)])
        + peer.enc.syn_stream(1, request(version), flags=spdywire.FLAG_FIN)
    )
    peer.sent()
    return peer


@pytest.mark.parametrize(
    "version", [spdylay.PROTO_SPDY3, spdylay.PROTO_SPDY3_1], ids=["spdy3", "spdy3.1"]
)
def test_window_dribble_fails_the_session(version):
    peer = _dribble_peer(version, 3)
    for _ in range(3):
        peer.feed(peer.enc.window_update(1, 1))
        assert answers(peer) == [("DATA", 1)]
    peer.feed(peer.enc.window_update(1, 1))
    assert answers(peer) == [goaway(version)]


@pytest.mark.parametrize(
    "version", [spdylay.PROTO_SPDY3, spdylay.PROTO_SPDY3_1], ids=["spdy3", "spdy3.1"]
)
def test_window_updates_opening_a_full_frame_are_fine(version):
    peer = _dribble_peer(version, 3)
    for _ in range(10):
        peer.feed(peer.enc.window_update(1, 1) * 3 + peer.enc.window_update(1, 4096))
        assert goaway(version) not in answers(peer)
    assert peer.session.want_read()


@pytest.mark.parametrize(
    "version", [spdylay.PROTO_SPDY3, spdylay.PROTO_SPDY3_1], ids=["spdy3", "spdy3.1"]
)
def test_updates_on_an_idle_stream_do_not_hide_the_dribble(version):
    """A stream with nothing to send may have a wide window: updating it
    must not restart the count of the dribble on the stream that sends."""
    peer = _dribble_peer(version, 3)
    peer.feed(peer.enc.syn_stream(3, request(version)) + peer.enc.window_update(3, 8192))
    for _ in range(4):
        peer.feed(peer.enc.window_update(1, 1) + peer.enc.window_update(3, 1))
    assert answers(peer)[-1] == goaway(version)


def test_connection_updates_do_not_hide_the_dribble():
    """In SPDY/3.1 the connection's window is wide while the stream's is
    dribbled: a small connection update restarts nothing."""
    version = spdylay.PROTO_SPDY3_1
    peer = _dribble_peer(version, 3)
    for _ in range(2):
        peer.feed(peer.enc.window_update(1, 1) + peer.enc.window_update(0, 1))
    assert answers(peer)[-1] == goaway(version)


def test_a_stream_window_the_connection_holds_shut_does_not_restart_the_count():
    """A wide stream window opens nothing while the SPDY/3.1 connection
    window is shut."""
    version = spdylay.PROTO_SPDY3_1
    peer = _dribble_peer(version, 3)
    peer.feed(peer.enc.window_update(1, 70000))
    peer.sent()
    for _ in range(4):
        peer.feed(peer.enc.window_update(0, 1) + peer.enc.window_update(1, 8192))
    assert answers(peer)[-1] == goaway(version)


@pytest.mark.parametrize(
    "version", [spdylay.PROTO_SPDY3, spdylay.PROTO_SPDY3_1], ids=["spdy3", "spdy3.1"]
)
def test_settings_raising_the_initial_window_a_little_are_the_dribble_too(version):
    """SETTINGS_INITIAL_WINDOW_SIZE raised a byte at a time opens a byte on
    every stream at once: each such SETTINGS counts as a small update."""
    peer = _dribble_peer(version, 3)
    for size in (2, 3, 4):
        peer.feed(peer.enc.settings([(spdylay.SETTINGS_INITIAL_WINDOW_SIZE, 0, size)]))
        assert answers(peer) == [("DATA", 1)]
    peer.feed(peer.enc.settings([(spdylay.SETTINGS_INITIAL_WINDOW_SIZE, 0, 5)]))
    assert answers(peer) == [goaway(version)]


@pytest.mark.parametrize(
    "version", [spdylay.PROTO_SPDY3, spdylay.PROTO_SPDY3_1], ids=["spdy3", "spdy3.1"]
)
def test_settings_dribble_counts_every_stream_it_opens_a_little(version):
    """One SETTINGS raising the window of four sending streams by a byte
    makes four one-byte DATA frames: four small updates, past a bound of 3,
    although a fifth stream gets a full frame."""
    peer = _dribble_peer(version, 3)
    peer.feed(
        peer.enc.syn_stream(11, request(version), flags=spdywire.FLAG_FIN)
        + peer.enc.window_update(11, 8192)
    )
    peer.feed(
        b"".join(
            peer.enc.syn_stream(i, request(version), flags=spdywire.FLAG_FIN) for i in (13, 15, 17)
        )
    )
    peer.sent()
    peer.feed(peer.enc.settings([(spdylay.SETTINGS_INITIAL_WINDOW_SIZE, 0, 2)]))
    assert answers(peer)[-1] == goaway(version)


@pytest.mark.parametrize(
    "version", [spdylay.PROTO_SPDY3, spdylay.PROTO_SPDY3_1], ids=["spdy3", "spdy3.1"]
)
def test_settings_opening_full_frames_or_shrinking_are_fine(version):
    peer = _dribble_peer(version, 3)
    size = 1
    for _ in range(10):
        size += 4096
        peer.feed(
            peer.enc.settings([(spdylay.SETTINGS_INITIAL_WINDOW_SIZE, 0, size)])
            + peer.enc.settings([(spdylay.SETTINGS_INITIAL_WINDOW_SIZE, 0, 1)]) * 5
        )
        assert goaway(version) not in answers(peer)
    assert peer.session.want_read()


def test_incoming_streams_past_the_bound_are_refused(version):
    peer = server(version, {spdylay.OPT_MAX_INCOMING_STREAMS: 2})
    peer.feed(b"".join(peer.enc.syn_stream(i, request(version)) for i in (1, 3, 5)))
    assert stream_ids_seen(peer) == [1, 3]
    assert answers(peer) == [("RST_STREAM", 5, spdylay.REFUSED_STREAM)]
    peer.feed(peer.enc.rst_stream(1, spdylay.CANCEL) + peer.enc.syn_stream(7, request(version)))
    assert stream_ids_seen(peer) == [1, 3, 7]


def test_default_incoming_stream_bound(version):
    peer = server(version, {})
    peer.feed(b"".join(peer.enc.syn_stream(2 * i + 1, request(version)) for i in range(1001)))
    assert len(stream_ids_seen(peer)) == 1000
    assert answers(peer) == [("RST_STREAM", 2001, spdylay.REFUSED_STREAM)]


def test_announced_concurrency_below_the_bound_still_applies(version):
    peer = server(version, {})
    peer.session.submit_settings(
        spdylay.FLAG_SETTINGS_NONE, [(spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, 0, 1)]
    )
    peer.sent()
    peer.feed(peer.enc.syn_stream(1, request(version)) + peer.enc.syn_stream(3, request(version)))
    assert answers(peer) == [("RST_STREAM", 3, spdylay.REFUSED_STREAM)]


# --- measured at full size, in a fresh process ----------------------------------------


# PyPy sizes its young generation from the processor's caches (tens of MB
# on a machine with a large L3), and its first use shows as resident memory
# that no session holds: the attack's process gets a fixed one.
ATTACK_ENVIRONMENT = dict(os.environ, PYPY_GC_NURSERY="4MB")


def run_attack(name, defended):
    out = subprocess.run(
        [
            sys.executable,
            os.path.join(HERE, "attacks.py"),
            name,
            "defended" if defended else "undefended",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
        env=ATTACK_ENVIRONMENT,
    ).stdout
    return json.loads(out)


def measured(name):
    """Both runs of an attack, printed as a line of the safety table."""
    defended, undefended = run_attack(name, True), run_attack(name, False)
    line = "%-24s %-8s %-9s %7d KiB held %7d KiB peak %8.1f ms %6.0f ns/B queue %5d %s"
    for label, run in (("defended", defended), ("without", undefended)):
        print(
            "\n"
            + line
            % (
                name,
                sys.implementation.name,
                label,
                run["rss_kib"],
                run["peak_kib"],
                run["cpu_s"] * 1e3,
                run["ns_per_byte"],
                run["queue"],
                run["answers"],
            ),
            end="",
        )
    # AddressSanitizer keeps freed memory in quarantine, resident, so there
    # RSS measures the attack's churn rather than what the session holds;
    # its queue and stream bounds are still checked by the callers.
    if not SANITIZED:
        assert defended["rss_kib"] < 16 * 1024
        assert defended["peak_kib"] < 16 * 1024
    return defended, undefended


def test_measured_header_bomb():
    """The 16 KB SYN_STREAM inflating to 15.7 MiB of "ab\\0ab\\0...": 5.2
    million entries are never built; without the bounds, even a 1 MiB block
    makes 350,000 of them."""
    defended, undefended = measured("header_bomb")
    assert defended["entries_built"] == 0
    assert defended["answers"] == {"GOAWAY 1": 1}
    assert not defended["want_read"]
    assert undefended["entries_built"] == 349526


def test_measured_header_bomb_flood():
    """Blocks that each inflate to the most a stream's reset allows, one new
    stream after another: the resets spend the reset budget."""
    defended, undefended = measured("header_bomb_flood")
    assert defended["answers"] == {"RST_STREAM 11": 1001, "GOAWAY 1": 1}
    assert not defended["want_read"]
    assert undefended["answers"] == {"RST_STREAM 11": 3000}
    assert undefended["want_read"]


def test_measured_ping_flood():
    defended, undefended = measured("ping_flood")
    assert defended["queue"] == 1002
    assert defended["answers"] == {"PING": 1001, "GOAWAY 1": 1}
    assert not defended["want_read"]
    assert undefended["queue"] == 20000


def test_measured_ping_flood_stop_reading():
    defended, undefended = measured("ping_flood_stop_reading")
    # The bound, plus what one 16 KB read brought in.
    assert 1000 <= defended["queue"] <= 1000 + 16 * 1024 // 12 + 1
    assert "GOAWAY 1" not in defended["answers"]
    assert defended["read_after_answers"] > defended["read_bytes"]
    assert undefended["queue"] == 20000


def test_measured_settings_flood():
    defended, undefended = measured("settings_flood")
    assert defended["answers"] == {"GOAWAY 1": 1}
    assert undefended["answers"] == {}


def test_measured_rapid_reset():
    defended, undefended = measured("rapid_reset")
    assert defended["streams_seen"] == 1001
    assert defended["answers"] == {"GOAWAY 1": 1}
    assert undefended["streams_seen"] == 20000


def test_measured_data_on_unopened_streams():
    """Each frame makes us queue twice its size; the answers spend the reset
    budget."""
    defended, undefended = measured("data_on_unopened_streams")
    assert defended["answers"] == {"RST_STREAM 2": 1000, "GOAWAY 1": 1}
    assert not defended["want_read"]
    assert undefended["answers"] == {"RST_STREAM 2": 20000}
    assert undefended["queue"] == 20000
    assert undefended["want_read"]


def test_measured_empty_frames():
    defended, undefended = measured("empty_frames")
    assert defended["answers"] == {"GOAWAY 1": 1}
    assert undefended["answers"] == {}


def test_measured_window_dribble():
    defended, undefended = measured("window_dribble")
    assert defended["answers"]["DATA"] == 1001
    assert defended["answers"]["GOAWAY 1"] == 1
    assert undefended["answers"]["DATA"] == 20001


def test_measured_idle_streams():
    defended, undefended = measured("idle_streams")
    assert defended["open_streams"] == 1000
    assert defended["queue"] == 1002
    assert undefended["open_streams"] == 20000


def test_measured_unread_answers():
    defended, undefended = measured("unread_answers")
    assert defended["queue"] == 2002
    assert defended["answers"] == {"SYN_REPLY": 1000, "RST_STREAM 3": 1001, "GOAWAY 1": 1}
    assert undefended["queue"] == 20000
