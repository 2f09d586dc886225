"""Every frame type in every version, checked on the wire.

What a Session sends is parsed by spdywire (written from the drafts) and
checked field by field; bytes built by spdywire, or typed from the drafts'
layouts, are fed to a Session and must come out of the callbacks intact.
"""

import os
import zlib

import pytest
from helpers import (
    POST_NV,
    REQUEST_NV,
    RESPONSE_NV,
    RawPeer,
    body_provider,
    control_frames,
    data_frames,
    nv_on_wire,
    pairs,
    wire_version,
)

import spdylay

import spdywire

V3_ONLY = pytest.mark.parametrize(
    "version", [spdylay.PROTO_SPDY3, spdylay.PROTO_SPDY3_1], ids=["spdy3", "spdy3.1"]
)


def client(version, **kwargs):
    return RawPeer(spdylay.CLIENT, version, **kwargs)


def server_with_stream(version, stream_id=1, flags=spdywire.FLAG_FIN, **kwargs):
    """A server session that has accepted the peer's SYN_STREAM ``stream_id``."""
    peer = RawPeer(spdylay.SERVER, version, **kwargs)
    peer.feed(peer.enc.syn_stream(stream_id, nv_on_wire(version, REQUEST_NV), flags=flags))
    peer.rec.clear()
    return peer


def only_ctrl_recv(peer):
    frames = [args[0] for args in peer.rec.calls("on_ctrl_recv_cb")]
    assert len(frames) == 1, frames
    return frames[0]


# --- the independent codec itself ---------------------------------------------


def test_dictionaries_have_the_drafts_lengths():
    # SPDY/2's text plus its terminating NUL; SPDY/3's byte array.
    assert len(spdywire.DICTIONARY_V2) == 907
    assert spdywire.DICTIONARY_V2.endswith(b"url\x00")
    assert len(spdywire.DICTIONARY_V3) == 1423
    assert spdywire.DICTIONARY_V3.startswith(b"\x00\x00\x00\x07options\x00\x00\x00\x04head")
    assert spdywire.DICTIONARY_V3.endswith(b"utf-,*,enq=0.")


def test_spdywire_name_value_block_layouts():
    assert spdywire.encode_nv(2, [("method", "GET")]) == (b"\x00\x01\x00\x06method\x00\x03GET")
    assert spdywire.encode_nv(3, [(":method", "GET")]) == (
        b"\x00\x00\x00\x01\x00\x00\x00\x07:method\x00\x00\x00\x03GET"
    )


def test_spdywire_control_head_layout():
    assert spdywire.Encoder(3).ping(1) == bytes.fromhex("80030006 00000004 00000001")
    assert spdywire.Encoder(2).goaway(0) == bytes.fromhex("80020007 00000004 00000000")


# --- what a Session sends -----------------------------------------------------


@pytest.mark.parametrize("pri_kind", ["highest", "second", "lowest"])
def test_sent_syn_stream_fields_and_priority_bits(version, pri_kind):
    peer = client(version)
    lowest = peer.session.get_pri_lowest()
    assert lowest == (3 if version == spdylay.PROTO_SPDY2 else 7)
    pri = {"highest": 0, "second": 1, "lowest": lowest}[pri_kind]
    nv = REQUEST_NV + [("Accept-Encoding", "gzip"), ("User-Agent", "spdylay-tests")]
    peer.session.submit_request(pri, nv)
    (frame,) = peer.sent()
    assert frame.control
    assert frame.version == wire_version(version)
    assert frame.type == spdywire.SYN_STREAM
    assert frame.flags == spdywire.FLAG_FIN
    assert frame.length == len(frame.payload) == 10 + len(frame.header_block)
    assert frame.stream_id == 1
    assert frame.assoc_stream_id == 0
    assert frame.reserved_bits == (0, 0)
    assert frame.pri == pri
    pri_byte = frame.payload[8]
    assert pri_byte == pri << (6 if version == spdylay.PROTO_SPDY2 else 5)
    assert frame.unused_bits == 0
    if version != spdylay.PROTO_SPDY2:
        assert frame.slot == 0
    assert sorted(frame.nv) == nv_on_wire(version, nv)


def test_sent_syn_stream_spdy2_uses_spdy2_names_only():
    peer = client(spdylay.PROTO_SPDY2)
    peer.session.submit_request(0, REQUEST_NV)
    (frame,) = peer.sent()
    assert dict(frame.nv) == {
        "method": "GET",
        "scheme": "https",
        "url": "/index.html",
        "version": "HTTP/1.1",
        "host": "example.org:8443",
    }


def test_sent_names_are_lower_cased(version):
    peer = client(version)
    peer.session.submit_request(0, REQUEST_NV + [("X-Mixed-CASE", "Value-Kept")])
    (frame,) = peer.sent()
    assert ("x-mixed-case", "Value-Kept") in frame.nv
    assert all(name == name.lower() for name, _ in frame.nv)


def test_sent_duplicate_names_are_joined_with_nul(version):
    peer = client(version)
    peer.session.submit_request(0, REQUEST_NV + [("cookie", "a=1"), ("Cookie", "b=2")])
    (frame,) = peer.sent()
    cookies = [value for name, value in frame.nv if name == "cookie"]
    assert cookies == ["a=1\x00b=2"]
    names = [name for name, _ in frame.nv]
    assert len(names) == len(set(names))


def test_sent_request_body_in_data_frames(version):
    peer = client(version)
    body = bytes(range(256)) * 40  # 10240 bytes: 4096 + 4096 + 2048
    peer.session.submit_request(0, POST_NV, body_provider(body))
    frames = peer.sent()
    (syn,) = control_frames(frames, spdywire.SYN_STREAM)
    assert syn.flags == 0
    data = data_frames(frames)
    assert [f.length for f in data] == [4096, 4096, 2048]
    assert [f.flags for f in data] == [0, 0, spdywire.FLAG_FIN]
    assert all(f.stream_id == 1 and f.reserved_bit == 0 for f in data)
    assert b"".join(f.data for f in data) == body


def test_sent_data_frame_known_bytes(version):
    peer = client(version)
    peer.session.submit_request(0, POST_NV, body_provider(b"hello"))
    raw = peer.endpoint.flush()
    (syn,) = spdywire.parse_all(version, raw[:-13])
    assert syn.type == spdywire.SYN_STREAM
    # Draft: C=0 | stream ID 1 | flags FIN | length 5 | "hello".
    assert raw[-13:] == bytes.fromhex("00000001 01000005") + b"hello"


def test_sent_push_syn_stream_fields(version):
    peer = server_with_stream(version, flags=0)
    pri = peer.session.get_pri_lowest()
    push_nv = [(":scheme", "https"), (":host", "example.org:8443"), (":path", "/style.css")]
    peer.session.submit_syn_stream(spdylay.CTRL_FLAG_UNIDIRECTIONAL, 1, pri, push_nv)
    (frame,) = peer.sent()
    assert frame.type == spdywire.SYN_STREAM
    assert frame.version == wire_version(version)
    assert frame.flags == spdywire.FLAG_UNIDIRECTIONAL
    assert frame.stream_id == 2
    assert frame.assoc_stream_id == 1
    assert frame.pri == pri
    assert sorted(frame.nv) == nv_on_wire(version, push_nv)


def test_sent_syn_reply_fields(version):
    peer = server_with_stream(version)
    peer.session.submit_response(1, RESPONSE_NV + [("Content-Type", "text/plain")])
    (frame,) = peer.sent()
    assert frame.type == spdywire.SYN_REPLY
    assert frame.version == wire_version(version)
    assert frame.flags == spdywire.FLAG_FIN
    assert frame.stream_id == 1
    assert frame.reserved_bits == (0,)
    fixed = 6 if version == spdylay.PROTO_SPDY2 else 4
    assert frame.length == fixed + len(frame.header_block)
    if version == spdylay.PROTO_SPDY2:
        assert frame.unused_bits == 0
        assert dict(frame.nv)["status"] == "200 OK"
    assert sorted(frame.nv) == nv_on_wire(version, RESPONSE_NV + [("content-type", "text/plain")])


def test_sent_headers_fields(version):
    peer = server_with_stream(version)
    peer.session.submit_syn_reply(spdylay.CTRL_FLAG_NONE, 1, RESPONSE_NV)
    peer.session.submit_headers(spdylay.CTRL_FLAG_FIN, 1, [("X-Trailer", "done")])
    reply, headers = peer.sent()
    assert reply.type == spdywire.SYN_REPLY and reply.flags == 0
    assert headers.type == spdywire.HEADERS
    assert headers.version == wire_version(version)
    assert headers.flags == spdywire.FLAG_FIN
    assert headers.stream_id == 1
    fixed = 6 if version == spdylay.PROTO_SPDY2 else 4
    assert headers.length == fixed + len(headers.header_block)
    assert headers.nv == [("x-trailer", "done")]


def test_sent_rst_stream_known_bytes(version):
    peer = client(version)
    peer.session.submit_request(0, REQUEST_NV)
    peer.endpoint.flush()
    peer.session.submit_rst_stream(1, spdylay.CANCEL)
    raw = peer.endpoint.flush()
    v = wire_version(version)
    assert raw == bytes.fromhex("80%02x0003 00000008 00000001 00000005" % v)


def test_sent_settings_byte_order(version):
    peer = RawPeer(spdylay.SERVER, version)
    peer.session.submit_settings(
        spdylay.FLAG_SETTINGS_CLEAR_SETTINGS,
        [
            (spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, spdylay.ID_FLAG_SETTINGS_PERSIST_VALUE, 100),
            (spdylay.SETTINGS_INITIAL_WINDOW_SIZE, spdylay.ID_FLAG_SETTINGS_NONE, 70000),
        ],
    )
    raw = peer.endpoint.flush()
    if version == spdylay.PROTO_SPDY2:
        # SPDY/2: 24-bit little-endian ID, then the ID flags.
        expected = "80020004 01000014 0000000204000001 0000006407000000 00011170"
    else:
        # SPDY/3: ID flags, then the 24-bit ID in network order.
        expected = "80030004 01000014 0000000201000004 0000006400000007 00011170"
    assert raw == bytes.fromhex(expected)


def test_sent_ping_ids_known_bytes(version):
    v = wire_version(version)
    peer = client(version)
    peer.session.submit_ping()
    assert peer.endpoint.flush() == bytes.fromhex("80%02x0006 00000004 00000001" % v)
    peer = RawPeer(spdylay.SERVER, version)
    peer.session.submit_ping()
    assert peer.endpoint.flush() == bytes.fromhex("80%02x0006 00000004 00000002" % v)


def test_sent_goaway_status_only_in_spdy3(version):
    peer = RawPeer(spdylay.SERVER, version)
    peer.session.submit_goaway(spdylay.GOAWAY_PROTOCOL_ERROR)
    raw = peer.endpoint.flush()
    if version == spdylay.PROTO_SPDY2:
        assert raw == bytes.fromhex("80020007 00000004 00000000")
    else:
        assert raw == bytes.fromhex("80030007 00000008 00000000 00000001")


def test_sent_goaway_carries_last_accepted_stream(version):
    peer = server_with_stream(version, stream_id=5, flags=0)
    peer.session.submit_goaway(spdylay.GOAWAY_OK)
    (frame,) = peer.sent()
    assert frame.type == spdywire.GOAWAY
    assert frame.last_good_stream_id == 5
    assert frame.status_code == (None if version == spdylay.PROTO_SPDY2 else 0)
    assert frame.length == (4 if version == spdylay.PROTO_SPDY2 else 8)


@V3_ONLY
def test_sent_window_update_known_bytes(version):
    peer = client(version)
    peer.session.submit_request(0, REQUEST_NV)
    peer.endpoint.flush()
    peer.session.submit_window_update(1, 4096)
    assert peer.endpoint.flush() == bytes.fromhex("80030009 00000008 00000001 00001000")


def test_sent_connection_window_update_spdy31():
    peer = client(spdylay.PROTO_SPDY3_1)
    peer.session.submit_window_update(0, 0x7FFF0000)
    assert peer.endpoint.flush() == bytes.fromhex("80030009 00000008 00000000 7fff0000")


def test_spdy2_has_no_window_update():
    peer = client(spdylay.PROTO_SPDY2)
    peer.session.submit_request(0, REQUEST_NV)
    peer.endpoint.flush()
    with pytest.raises(spdylay.InvalidArgumentError):
        peer.session.submit_window_update(1, 4096)


# --- what a Session receives --------------------------------------------------


@pytest.mark.parametrize("pri_kind", ["highest", "lowest"])
def test_received_syn_stream_fields(version, pri_kind):
    peer = RawPeer(spdylay.SERVER, version)
    pri = 0 if pri_kind == "highest" else peer.session.get_pri_lowest()
    nv = REQUEST_NV + [("accept", "*/*")]
    raw = peer.enc.syn_stream(1, nv_on_wire(version, nv), flags=spdywire.FLAG_FIN, pri=pri)
    peer.feed(raw)
    frame = only_ctrl_recv(peer)
    assert frame.frame_type == spdylay.SYN_STREAM
    assert frame.version == wire_version(version)
    assert frame.flags == spdylay.CTRL_FLAG_FIN
    assert frame.length == len(raw) - 8
    assert frame.stream_id == 1
    assert frame.assoc_stream_id == 0
    assert frame.pri == pri
    assert frame.slot == 0
    # SPDY/2's names come back as SPDY/3's.
    assert pairs(frame.nv) == sorted(nv)
    assert peer.rec.names() == ["on_ctrl_recv_cb", "on_request_recv_cb"]
    assert peer.rec.calls("on_request_recv_cb") == [(1,)]


def test_received_multi_value_header_is_split(version):
    peer = RawPeer(spdylay.SERVER, version)
    nv = nv_on_wire(version, REQUEST_NV) + [("cookie", "a=1\x00b=2")]
    peer.feed(peer.enc.syn_stream(1, nv, flags=spdywire.FLAG_FIN))
    frame = only_ctrl_recv(peer)
    assert [value for name, value in frame.nv if name == "cookie"] == ["a=1", "b=2"]


def test_received_credential_slot_in_syn_stream():
    peer = RawPeer(spdylay.SERVER, spdylay.PROTO_SPDY3)
    peer.feed(
        peer.enc.syn_stream(
            1, nv_on_wire(spdylay.PROTO_SPDY3, REQUEST_NV), flags=spdywire.FLAG_FIN, slot=3
        )
    )
    assert only_ctrl_recv(peer).slot == 3


def test_received_syn_reply_fields(version):
    peer = client(version)
    peer.session.submit_request(0, REQUEST_NV)
    peer.sent()
    peer.rec.clear()
    raw = peer.enc.syn_reply(1, nv_on_wire(version, RESPONSE_NV), flags=spdywire.FLAG_FIN)
    peer.feed(raw)
    frame = only_ctrl_recv(peer)
    assert frame.frame_type == spdylay.SYN_REPLY
    assert frame.version == wire_version(version)
    assert frame.flags == spdylay.CTRL_FLAG_FIN
    assert frame.length == len(raw) - 8
    assert frame.stream_id == 1
    assert pairs(frame.nv) == sorted(RESPONSE_NV)
    assert peer.rec.calls("on_stream_close_cb") == [(1, spdylay.OK)]


def test_received_headers_fields(version):
    peer = client(version)
    peer.session.submit_request(0, REQUEST_NV)
    peer.sent()
    peer.feed(peer.enc.syn_reply(1, nv_on_wire(version, RESPONSE_NV)))
    peer.rec.clear()
    raw = peer.enc.headers(1, [("x-trailer", "done")], flags=spdywire.FLAG_FIN)
    peer.feed(raw)
    frame = only_ctrl_recv(peer)
    assert frame.frame_type == spdylay.HEADERS
    assert frame.version == wire_version(version)
    assert frame.flags == spdylay.CTRL_FLAG_FIN
    assert frame.length == len(raw) - 8
    assert frame.stream_id == 1
    assert pairs(frame.nv) == [("x-trailer", "done")]
    assert peer.rec.calls("on_stream_close_cb") == [(1, spdylay.OK)]


@pytest.mark.parametrize(
    "status", [spdylay.REFUSED_STREAM, 0xFFFFFFF0], ids=["refused-stream", "past-int31"]
)
def test_received_rst_stream_known_bytes(version, status):
    """The status is 32 unsigned bits: on_stream_close_cb gets the same number
    as the RstStreamFrame, never a negative one."""
    peer = client(version)
    peer.session.submit_request(0, REQUEST_NV)
    peer.sent()
    peer.rec.clear()
    v = wire_version(version)
    peer.feed(bytes.fromhex("80%02x0003 00000008 00000001 %08x" % (v, status)))
    frame = only_ctrl_recv(peer)
    assert frame.frame_type == spdylay.RST_STREAM
    assert frame.version == v
    assert frame.length == 8
    assert frame.stream_id == 1
    assert frame.status_code == status
    assert peer.rec.calls("on_stream_close_cb") == [(1, status)]
    assert peer.sent() == []


def test_received_settings_spdy2_known_bytes():
    peer = client(spdylay.PROTO_SPDY2)
    # MAX_CONCURRENT_STREAMS (4) = 100 with PERSIST_VALUE, little-endian ID.
    peer.feed(bytes.fromhex("80020004 0000000c 00000001 04000001 00000064"))
    frame = only_ctrl_recv(peer)
    assert frame.frame_type == spdylay.SETTINGS
    assert frame.version == 2
    assert frame.flags == 0
    assert frame.length == 12
    assert [tuple(entry) for entry in frame.iv] == [
        (spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, spdylay.ID_FLAG_SETTINGS_PERSIST_VALUE, 100)
    ]


@V3_ONLY
def test_received_settings_spdy3_known_bytes(version):
    peer = client(version)
    peer.feed(bytes.fromhex("80030004 01000014 0000000201000004 00000064 00000007 00011170"))
    frame = only_ctrl_recv(peer)
    assert frame.frame_type == spdylay.SETTINGS
    assert frame.version == 3
    assert frame.flags == spdylay.FLAG_SETTINGS_CLEAR_SETTINGS
    assert frame.length == 20
    assert [tuple(entry) for entry in frame.iv] == [
        (spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, spdylay.ID_FLAG_SETTINGS_PERSIST_VALUE, 100),
        (spdylay.SETTINGS_INITIAL_WINDOW_SIZE, spdylay.ID_FLAG_SETTINGS_NONE, 70000),
    ]


def test_received_ping_is_echoed_byte_for_byte(version):
    v = wire_version(version)
    peer = client(version)
    ping = bytes.fromhex("80%02x0006 00000004 0000002a" % v)
    peer.feed(ping)
    frame = only_ctrl_recv(peer)
    assert frame.frame_type == spdylay.PING
    assert frame.version == v
    assert frame.length == 4
    assert frame.unique_id == 42
    assert peer.endpoint.flush() == ping


def test_received_goaway_fields(version):
    v = wire_version(version)
    peer = client(version)
    if version == spdylay.PROTO_SPDY2:
        peer.feed(bytes.fromhex("80020007 00000004 00000000"))
    else:
        peer.feed(bytes.fromhex("80030007 00000008 00000000 00000001"))
    frame = only_ctrl_recv(peer)
    assert frame.frame_type == spdylay.GOAWAY
    assert frame.version == v
    assert frame.length == (4 if v == 2 else 8)
    assert frame.last_good_stream_id == 0
    assert frame.status_code == (spdylay.GOAWAY_OK if v == 2 else spdylay.GOAWAY_PROTOCOL_ERROR)


@V3_ONLY
def test_received_window_update_fields(version):
    peer = client(version)
    peer.session.submit_request(0, REQUEST_NV)
    peer.sent()
    peer.rec.clear()
    peer.feed(bytes.fromhex("80030009 00000008 00000001 00001000"))
    frame = only_ctrl_recv(peer)
    assert frame.frame_type == spdylay.WINDOW_UPDATE
    assert frame.version == 3
    assert frame.length == 8
    assert frame.stream_id == 1
    assert frame.delta_window_size == 4096


def test_received_noop_is_ignored_in_spdy2():
    peer = client(spdylay.PROTO_SPDY2)
    peer.feed(bytes.fromhex("80020005 00000000"))
    peer.feed(bytes.fromhex("80020006 00000004 00000002"))
    assert peer.rec.names() == ["on_ctrl_recv_cb"]
    assert only_ctrl_recv(peer).frame_type == spdylay.PING
    assert [f.type for f in peer.sent()] == [spdywire.PING]


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 discards received CREDENTIAL frames without a callback"
)
@V3_ONLY
def test_received_credential_reaches_the_server(version):
    peer = RawPeer(spdylay.SERVER, version)
    peer.feed(peer.enc.credential(1, b"proof-bytes", [b"cert-one", b"cert-two"]))
    frame = only_ctrl_recv(peer)
    assert frame.frame_type == spdylay.CREDENTIAL
    assert frame.version == 3
    assert peer.sent() == []


@V3_ONLY
def test_received_credential_is_discarded_by_a_client(version):
    """Only servers check client certificates; a client drops CREDENTIAL silently,
    as libspdylay 1.4 does on both sides."""
    peer = RawPeer(spdylay.CLIENT, version)
    peer.feed(peer.enc.credential(1, b"proof-bytes", [b"cert-one"]) + peer.enc.ping(2))
    assert [f.frame_type for (f,) in peer.rec.calls("on_ctrl_recv_cb")] == [spdylay.PING]
    assert peer.rec.calls("on_ctrl_recv_parse_error_cb") == []
    assert peer.rec.calls("on_unknown_ctrl_recv_cb") == []
    assert [f.type for f in peer.sent()] == [spdywire.PING]


def test_received_data_known_bytes(version):
    peer = RawPeer(spdylay.SERVER, version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, POST_NV)))
    peer.rec.clear()
    peer.feed(bytes.fromhex("00000001 01000005") + b"hello")
    assert peer.rec.events == [
        ("on_data_chunk_recv_cb", (spdylay.DATA_FLAG_FIN, 1, b"hello")),
        ("on_data_recv_cb", (spdylay.DATA_FLAG_FIN, 1, 5)),
        ("on_request_recv_cb", (1,)),
    ]


def test_received_zero_length_data_with_fin(version):
    peer = RawPeer(spdylay.SERVER, version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, POST_NV)))
    peer.rec.clear()
    peer.feed(peer.enc.data(1, b"", flags=spdywire.FLAG_FIN))
    assert peer.rec.calls("on_data_recv_cb") == [(spdylay.DATA_FLAG_FIN, 1, 0)]
    assert peer.rec.calls("on_request_recv_cb") == [(1,)]


def test_header_compression_context_spans_frames(version):
    """The second header block refers back into the first: only a peer that keeps
    one inflater per direction reads it."""
    peer = RawPeer(spdylay.SERVER, version)
    nv = nv_on_wire(version, REQUEST_NV) + [("x-long", os.urandom(200).hex())]
    first = peer.enc.syn_stream(1, nv, flags=spdywire.FLAG_FIN)
    second = peer.enc.syn_stream(3, nv, flags=spdywire.FLAG_FIN)
    assert len(second) < len(first) - 100
    peer.feed(first + second)
    frames = [args[0] for args in peer.rec.calls("on_ctrl_recv_cb")]
    assert [f.stream_id for f in frames] == [1, 3]
    assert pairs(frames[1].nv) == pairs(frames[0].nv)


def test_sent_header_blocks_share_one_deflate_stream(version):
    peer = client(version)
    nv = REQUEST_NV + [("x-long", os.urandom(200).hex())]
    peer.session.submit_request(0, nv)
    peer.session.submit_request(0, nv)
    first, second = peer.sent()
    assert sorted(first.nv) == sorted(second.nv) == nv_on_wire(version, nv)
    assert len(second.header_block) < len(first.header_block) - 100
    # A fresh inflater cannot read the second block on its own.
    with pytest.raises(zlib.error):
        spdywire.HeaderDecompressor(version).decompress(second.header_block)
