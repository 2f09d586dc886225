"""How a Session moves bytes: send() coalesces frames into few send_cb calls
and keeps what send_cb does not take; recv() takes any bytes-like object or
pulls from recv_cb; plus the per-stream queries and flow-control extras."""

import pytest
from helpers import (
    POST_NV,
    REQUEST_NV,
    RawPeer,
    body_provider,
    control_frames,
    data_frames,
    make_pair,
    pump,
)

import spdylay

import spdywire


class Sink:
    """A send_cb that records each call and takes at most ``limit`` bytes
    (everything when None; 0 means it would block)."""

    def __init__(self, limit=None):
        self.calls = []
        self.taken = bytearray()
        self.limit = limit

    def __call__(self, session, data):
        self.calls.append(data)
        size = len(data) if self.limit is None else min(self.limit, len(data))
        self.taken += data[:size]
        return size


def test_frames_are_coalesced_into_one_send_cb_call(version):
    sink = Sink()
    session = spdylay.Session(spdylay.CLIENT, version, send_cb=sink)
    session.submit_ping()
    session.submit_ping()
    session.submit_settings(
        spdylay.FLAG_SETTINGS_NONE, [(spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, 0, 50)]
    )
    session.submit_request(0, REQUEST_NV)
    session.send()
    assert len(sink.calls) == 1
    frames = spdywire.parse_all(version, sink.calls[0])
    assert sorted(f.type for f in frames) == sorted(
        [spdylay.PING, spdylay.PING, spdylay.SETTINGS, spdylay.SYN_STREAM]
    )
    assert not session.want_write()


def test_send_with_nothing_queued_does_not_call_send_cb(version):
    sink = Sink()
    session = spdylay.Session(spdylay.CLIENT, version, send_cb=sink)
    session.send()
    assert sink.calls == []


def test_big_body_goes_out_in_bounded_chunks():
    body = bytes(range(256)) * 4096  # 1 MiB
    sink = Sink()
    session = spdylay.Session(spdylay.CLIENT, spdylay.PROTO_SPDY2, send_cb=sink)
    session.submit_request(0, POST_NV, body_provider(body))
    session.send()
    assert max(len(chunk) for chunk in sink.calls) <= 65536 + 4096 + 8
    assert len(sink.calls) >= len(body) // (65536 + 4096 + 8)
    frames = spdywire.parse_all(spdylay.PROTO_SPDY2, bytes(sink.taken))
    assert b"".join(f.data for f in data_frames(frames, 1)) == body


def test_partial_sends_keep_the_rest_queued(version):
    reference = Sink()
    partial = Sink(limit=7)
    sessions = [
        spdylay.Session(spdylay.CLIENT, version, send_cb=sink) for sink in (reference, partial)
    ]
    for session in sessions:
        session.submit_request(0, POST_NV, body_provider(b"p" * 10000))
    sessions[0].send()
    rounds = 0
    while sessions[1].want_write():
        sessions[1].send()
        rounds += 1
    assert rounds == len(partial.calls) > len(reference.calls)
    assert all(len(call) > 0 for call in partial.calls)
    frames = spdywire.parse_all(version, bytes(partial.taken))
    assert b"".join(f.data for f in data_frames(frames, 1)) == b"p" * 10000
    # Header compression is deterministic, so the bytes are the same too.
    assert bytes(partial.taken) == bytes(reference.taken)


@pytest.mark.parametrize("blocked", [0, None])
def test_would_block_keeps_everything_queued(version, blocked):
    results = [blocked, None]

    def send_cb(session, data):
        calls.append(data)
        result = results.pop(0)
        return len(data) if result is None and not results else result

    calls = []
    session = spdylay.Session(spdylay.CLIENT, version, send_cb=send_cb)
    session.submit_ping()
    session.send()
    assert session.want_write()
    session.send()
    assert calls[0] == calls[1]
    assert not session.want_write()
    (ping,) = spdywire.parse_all(version, calls[1])
    assert ping.type == spdylay.PING


def test_send_needs_send_cb(version):
    session = spdylay.Session(spdylay.CLIENT, version)
    session.submit_ping()
    with pytest.raises(spdylay.InvalidStateError):
        session.send()
    assert session.want_write()


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_recv_takes_any_bytes_like_object(version, kind):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.feed(kind(peer.enc.ping(2)))
    assert peer.rec.calls("on_ctrl_recv_cb")[0][0].unique_id == 2


@pytest.mark.parametrize("how", ["passed", "from recv_cb"])
@pytest.mark.parametrize("data", ["\x80\x03\x00\x06", 6], ids=["str", "int"])
def test_recv_refuses_what_is_not_bytes_like(version, how, data):
    if how == "passed":
        session = spdylay.Session(spdylay.SERVER, version)
        with pytest.raises(TypeError, match="bytes-like object"):
            session.recv(data)
    else:
        session = spdylay.Session(spdylay.SERVER, version, recv_cb=lambda s, length: data)
        with pytest.raises(TypeError, match="bytes-like object"):
            session.recv()
    assert session.want_read()  # nothing was fed


def test_recv_byte_by_byte(version):
    peer = RawPeer(spdylay.SERVER, version)
    request = [
        (name.encode(), value.encode())
        for name, value in [
            (":method", "GET"),
            (":path", "/"),
            (":version", "HTTP/1.1"),
            (":host", "h"),
            (":scheme", "http"),
        ]
    ]
    data = peer.enc.syn_stream(1, request, flags=spdylay.CTRL_FLAG_FIN)
    for index in range(len(data)):
        peer.feed(data[index : index + 1])
    assert peer.rec.calls("on_request_recv_cb") == [(1,)]


def test_recv_pulls_from_recv_cb_until_it_has_nothing(version):
    enc = spdywire.Encoder(version)
    chunks = [enc.ping(2), enc.ping(4) + enc.ping(6), None, enc.ping(8), b""]
    lengths = []

    def recv_cb(session, length):
        lengths.append(length)
        return chunks.pop(0)

    peer = RawPeer(spdylay.CLIENT, version, recv_cb=recv_cb)
    peer.session.recv()
    assert [f.unique_id for (f,) in peer.rec.calls("on_ctrl_recv_cb")] == [2, 4, 6]
    assert len(lengths) == 3 and all(length > 0 for length in lengths)
    peer.session.recv()
    assert [f.unique_id for (f,) in peer.rec.calls("on_ctrl_recv_cb")] == [2, 4, 6, 8]


def test_recv_without_data_needs_recv_cb(version):
    session = spdylay.Session(spdylay.CLIENT, version)
    with pytest.raises(spdylay.InvalidStateError):
        session.recv()


def test_want_read_and_want_write(version):
    sink = Sink()
    session = spdylay.Session(spdylay.CLIENT, version, send_cb=sink)
    assert session.want_read() and not session.want_write()
    assert session.get_outbound_queue_size() == 0
    session.submit_ping()
    session.submit_ping()
    assert session.want_write()
    assert session.get_outbound_queue_size() == 2
    session.send()
    assert not session.want_write() and session.get_outbound_queue_size() == 0


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 reports want_write() false after fail_session() while GOAWAY is queued"
)
def test_fail_session(version):
    sink = Sink()
    session = spdylay.Session(spdylay.CLIENT, version, send_cb=sink)
    session.fail_session(spdylay.GOAWAY_PROTOCOL_ERROR)
    assert not session.want_read()
    assert session.want_write()
    session.send()
    (goaway,) = spdywire.parse_all(version, sink.calls[0])
    assert goaway.type == spdylay.GOAWAY
    if version != spdylay.PROTO_SPDY2:
        assert goaway.status_code == spdylay.GOAWAY_PROTOCOL_ERROR
    assert not session.want_read() and not session.want_write()


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 reports want_write() false after fail_session() while GOAWAY is queued"
)
def test_frames_queued_while_blocked_still_count_for_want_write(version):
    session = spdylay.Session(spdylay.CLIENT, version, send_cb=lambda s, data: 0)
    session.fail_session(spdylay.GOAWAY_OK)
    session.send()
    assert session.want_write()


# Stream user data.


def test_set_stream_user_data(version):
    first, second = object(), object()
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_syn_stream(spdylay.CTRL_FLAG_NONE, 0, 0, POST_NV)
    peer.sent()
    assert peer.session.get_stream_user_data(1) is None
    peer.session.set_stream_user_data(1, first)
    assert peer.session.get_stream_user_data(1) is first
    peer.session.set_stream_user_data(1, second)
    assert peer.session.get_stream_user_data(1) is second
    with pytest.raises(spdylay.InvalidArgumentError):
        peer.session.set_stream_user_data(3, first)
    assert peer.session.get_stream_user_data(3) is None


def test_set_stream_user_data_keeps_the_provider(version):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, POST_NV, body_provider(b"k" * 6000), stream_user_data="before")
    peer.session.send()
    peer.session.set_stream_user_data(1, "after")
    assert peer.session.get_stream_user_data(1) == "after"
    frames = spdywire.parse_all(version, peer.endpoint.wire)
    assert b"".join(f.data for f in data_frames(frames, 1)) == b"k" * 6000


# Flow-control extras.


def receive_open_body(version, config, size):
    """A server session that got ``size`` bytes of DATA on stream 1, which
    stays open in both directions; returns the pair."""
    pair = make_pair(version, server_kwargs={"config": config})
    pair.client.session.submit_syn_stream(spdylay.CTRL_FLAG_NONE, 0, 0, POST_NV)
    pump(pair)
    pair.client.session.submit_data(1, spdylay.DATA_FLAG_NONE, body_provider(b"c" * size))
    pump(pair)
    return pair


def window_updates(pair):
    return control_frames(spdywire.parse_all(pair.version, pair.server.wire), spdylay.WINDOW_UPDATE)


@pytest.mark.parametrize("version", [spdylay.PROTO_SPDY3, spdylay.PROTO_SPDY3_1])
def test_recv_data_lengths(version):
    pair = receive_open_body(version, {spdylay.OPT_NO_AUTO_WINDOW_UPDATE: True}, 40000)
    server = pair.server.session
    assert window_updates(pair) == []
    assert server.get_stream_recv_data_length(1) == 40000
    assert server.get_stream_recv_data_length(99) == -1
    if version == spdylay.PROTO_SPDY3_1:
        assert server.get_recv_data_length() == 40000


@pytest.mark.parametrize("version", [spdylay.PROTO_SPDY3, spdylay.PROTO_SPDY3_1])
def test_consume_reopens_windows(version):
    pair = receive_open_body(version, {spdylay.OPT_NO_AUTO_WINDOW_UPDATE2: True}, 40000)
    assert window_updates(pair) == []
    pair.server.session.consume(1, 40000)
    pump(pair)
    updates = window_updates(pair)
    expected = [1] if version == spdylay.PROTO_SPDY3 else [0, 1]
    assert sorted(f.stream_id for f in updates) == expected
    assert all(f.delta_window_size == 40000 for f in updates)


def test_consume_needs_the_option():
    pair = receive_open_body(spdylay.PROTO_SPDY3, None, 100)
    with pytest.raises(spdylay.InvalidStateError):
        pair.server.session.consume(1, 100)
