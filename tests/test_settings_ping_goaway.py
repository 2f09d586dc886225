"""SETTINGS, PING, GOAWAY and RST_STREAM between sessions, and want_read/want_write."""

import pytest
from helpers import (
    REQUEST_NV,
    RESPONSE_NV,
    RawPeer,
    body_provider,
    control_frames,
    data_frames,
    make_pair,
    nv_on_wire,
    pump,
)

import spdylay

import spdywire


def ctrl_recv(rec, frame_type):
    return [f for (f,) in rec.calls("on_ctrl_recv_cb") if f.frame_type == frame_type]


def answer_with(bodies):
    def on_request_recv_cb(session, stream_id):
        body = bodies.get(stream_id)
        session.submit_response(
            stream_id, RESPONSE_NV, None if body is None else body_provider(body)
        )

    return on_request_recv_cb


# --- SETTINGS -----------------------------------------------------------------


def test_settings_travel_both_ways(version):
    pair = make_pair(version)
    client_iv = [
        (spdylay.SETTINGS_ROUND_TRIP_TIME, spdylay.ID_FLAG_SETTINGS_NONE, 20),
        (spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, spdylay.ID_FLAG_SETTINGS_NONE, 50),
    ]
    server_iv = [
        (spdylay.SETTINGS_UPLOAD_BANDWIDTH, spdylay.ID_FLAG_SETTINGS_PERSIST_VALUE, 7),
        (spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, spdylay.ID_FLAG_SETTINGS_PERSIST_VALUE, 100),
    ]
    pair.client.session.submit_settings(spdylay.FLAG_SETTINGS_NONE, client_iv)
    pair.server.session.submit_settings(spdylay.FLAG_SETTINGS_CLEAR_SETTINGS, server_iv)
    pump(pair)
    (at_server,) = ctrl_recv(pair.server.rec, spdylay.SETTINGS)
    (at_client,) = ctrl_recv(pair.client.rec, spdylay.SETTINGS)
    assert at_server.flags == spdylay.FLAG_SETTINGS_NONE
    assert [tuple(e) for e in at_server.iv] == client_iv
    assert at_client.flags == spdylay.FLAG_SETTINGS_CLEAR_SETTINGS
    assert [tuple(e) for e in at_client.iv] == server_iv


@pytest.mark.parametrize(
    "iv",
    [
        [
            (spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, 0, 10),
            (spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, 0, 20),
        ],
        [(0, 0, 10)],
        [(spdylay.SETTINGS_MAX + 1, 0, 10)],
        [(spdylay.SETTINGS_INITIAL_WINDOW_SIZE, 0, 1 << 31)],
    ],
    ids=["duplicate-id", "id-zero", "id-past-max", "window-too-large"],
)
def test_invalid_settings_are_refused(version, iv):
    peer = RawPeer(spdylay.CLIENT, version)
    with pytest.raises(spdylay.InvalidArgumentError):
        peer.session.submit_settings(spdylay.FLAG_SETTINGS_NONE, iv)
    assert peer.sent() == []


@pytest.mark.parametrize(
    "settings_id",
    [spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, spdylay.SETTINGS_ROUND_TRIP_TIME],
    ids=["max-concurrent-streams", "round-trip-time"],
)
def test_peer_settings_values_use_all_32_bits(version, settings_id):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.feed(peer.enc.settings([(settings_id, 0, 0xFFFFFFFF)]))
    ((frame,),) = peer.rec.calls("on_ctrl_recv_cb")
    assert [tuple(entry) for entry in frame.iv] == [(settings_id, 0, 0xFFFFFFFF)]
    assert peer.rec.calls("on_invalid_ctrl_recv_cb") == []
    assert peer.session.want_read()
    peer.session.submit_request(0, REQUEST_NV)
    assert [f.type for f in peer.sent()] == [spdywire.SYN_STREAM]


def test_peer_initial_window_past_31_bits_fails_the_session(version):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.feed(peer.enc.settings([(spdylay.SETTINGS_INITIAL_WINDOW_SIZE, 0, 1 << 31)]))
    ((frame, status),) = peer.rec.calls("on_invalid_ctrl_recv_cb")
    assert (frame.frame_type, status) == (spdylay.SETTINGS, spdylay.PROTOCOL_ERROR)
    (goaway,) = control_frames(peer.sent(), spdylay.GOAWAY)
    assert not peer.session.want_read()


def test_peer_stream_beyond_local_max_concurrent_is_refused(version):
    peer = RawPeer(spdylay.SERVER, version)
    peer.session.submit_settings(
        spdylay.FLAG_SETTINGS_NONE, [(spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, 0, 1)]
    )
    peer.sent()
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV)))
    peer.feed(peer.enc.syn_stream(3, nv_on_wire(version, REQUEST_NV)))
    frames = peer.sent()
    assert [(f.type, f.stream_id, f.status_code) for f in frames] == [
        (spdywire.RST_STREAM, 3, spdylay.REFUSED_STREAM)
    ]
    assert [f.stream_id for f in ctrl_recv(peer.rec, spdylay.SYN_STREAM)] == [1]
    ((frame, status),) = peer.rec.calls("on_invalid_ctrl_recv_cb")
    assert (frame.frame_type, frame.stream_id, status) == (
        spdylay.SYN_STREAM,
        3,
        spdylay.REFUSED_STREAM,
    )
    # Once stream 1 is done the peer may open another.
    peer.feed(peer.enc.rst_stream(1, spdylay.CANCEL))
    peer.feed(peer.enc.syn_stream(5, nv_on_wire(version, REQUEST_NV)))
    assert [f.stream_id for f in ctrl_recv(peer.rec, spdylay.SYN_STREAM)] == [1, 5]
    assert peer.sent() == []


def test_own_streams_wait_for_the_peer_max_concurrent(version):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.feed(peer.enc.settings([(spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, 0, 1)]))
    peer.session.submit_request(0, REQUEST_NV, stream_user_data="first")
    peer.session.submit_request(0, REQUEST_NV, stream_user_data="second")
    assert [f.stream_id for f in peer.sent()] == [1]
    assert not peer.session.want_write()
    assert peer.sent() == []
    assert peer.rec.calls("on_ctrl_not_send_cb") == []
    peer.feed(peer.enc.syn_reply(1, nv_on_wire(version, RESPONSE_NV), flags=spdywire.FLAG_FIN))
    assert peer.rec.calls("on_stream_close_cb") == [(1, spdylay.OK)]
    assert peer.session.want_write()
    (frame,) = peer.sent()
    assert (frame.type, frame.stream_id) == (spdywire.SYN_STREAM, 3)
    assert peer.session.get_stream_user_data(3) == "second"


# --- PING ---------------------------------------------------------------------


@pytest.mark.bundled_core(reason="libspdylay 1.4 loses the earlier of two outstanding PING echoes")
def test_ping_round_trip_from_either_side(version):
    pair = make_pair(version)
    pair.client.session.submit_ping()
    pair.client.session.submit_ping()
    pair.server.session.submit_ping()
    pump(pair)
    up = control_frames(spdywire.parse_all(version, pair.client.wire), spdywire.PING)
    down = control_frames(spdywire.parse_all(version, pair.server.wire), spdywire.PING)
    # Each side sends its own pings (odd from the client, even from the server)
    # and echoes the other's once; nobody echoes an echo.
    assert sorted(f.unique_id for f in up) == [1, 2, 3]
    assert sorted(f.unique_id for f in down) == [1, 2, 3]
    assert sorted(f.unique_id for f in ctrl_recv(pair.client.rec, spdylay.PING)) == [1, 2, 3]
    assert sorted(f.unique_id for f in ctrl_recv(pair.server.rec, spdylay.PING)) == [1, 2, 3]


def test_ping_with_our_own_parity_is_delivered_not_echoed(version):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.feed(peer.enc.ping(7))
    assert [f.unique_id for f in ctrl_recv(peer.rec, spdylay.PING)] == [7]
    assert peer.sent() == []
    server = RawPeer(spdylay.SERVER, version)
    server.feed(server.enc.ping(8))
    assert [f.unique_id for f in ctrl_recv(server.rec, spdylay.PING)] == [8]
    assert server.sent() == []


def test_ping_echo_goes_ahead_of_queued_data(version):
    peer = RawPeer(spdylay.SERVER, version, on_request_recv_cb=answer_with({1: b"r" * 5 * 4096}))
    peer.feed(
        peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV), flags=spdywire.FLAG_FIN)
        + peer.enc.ping(9)
    )
    frames = peer.sent()
    kinds = [("D" if not f.control else f.type) for f in frames]
    assert kinds.index(spdywire.PING) < kinds.index("D")
    assert control_frames(frames, spdywire.PING)[0].unique_id == 9


# --- GOAWAY -------------------------------------------------------------------


def test_goaway_reports_last_good_stream_and_stops_new_streams(version):
    pair = make_pair(version, server_kwargs={"on_request_recv_cb": answer_with({})})
    pair.client.session.submit_request(0, REQUEST_NV)
    pump(pair)
    pair.server.session.submit_goaway(spdylay.GOAWAY_OK)
    pump(pair)
    (goaway,) = ctrl_recv(pair.client.rec, spdylay.GOAWAY)
    assert goaway.last_good_stream_id == 1
    assert goaway.status_code == spdylay.GOAWAY_OK
    wire_before = len(pair.client.wire)
    pair.client.session.submit_request(0, REQUEST_NV)
    pair.client.session.send()
    assert len(pair.client.wire) == wire_before
    ((frame, error),) = pair.client.rec.calls("on_ctrl_not_send_cb")
    assert frame.frame_type == spdylay.SYN_STREAM
    assert error == spdylay.ERR_SYN_STREAM_NOT_ALLOWED


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 does not close our streams above GOAWAY's last-good-stream-ID"
)
def test_goaway_closes_our_streams_past_last_good(version):
    peer = RawPeer(spdylay.CLIENT, version)
    for _ in range(3):
        peer.session.submit_request(0, REQUEST_NV)
    assert [f.stream_id for f in peer.sent()] == [1, 3, 5]
    peer.feed(peer.enc.goaway(1))
    assert sorted(peer.rec.calls("on_stream_close_cb")) == [
        (3, spdylay.REFUSED_STREAM),
        (5, spdylay.REFUSED_STREAM),
    ]
    assert peer.sent() == []
    # Stream 1 was accepted and still completes.
    peer.feed(peer.enc.syn_reply(1, nv_on_wire(version, RESPONSE_NV), flags=spdywire.FLAG_FIN))
    assert peer.rec.calls("on_stream_close_cb")[-1] == (1, spdylay.OK)
    assert not peer.session.want_read()
    assert not peer.session.want_write()


def test_peer_syn_stream_after_our_goaway_is_ignored(version):
    peer = RawPeer(spdylay.SERVER, version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV)))
    peer.session.submit_goaway(spdylay.GOAWAY_OK)
    (goaway,) = peer.sent()
    assert goaway.last_good_stream_id == 1
    peer.rec.clear()
    peer.feed(peer.enc.syn_stream(3, nv_on_wire(version, REQUEST_NV), flags=spdywire.FLAG_FIN))
    assert ctrl_recv(peer.rec, spdylay.SYN_STREAM) == []
    assert peer.rec.calls("on_request_recv_cb") == []
    assert peer.rec.calls("on_invalid_ctrl_recv_cb") == []
    # Both drafts: the sender of GOAWAY ignores new streams, without a reply.
    assert peer.sent() == []
    assert peer.session.get_stream_user_data(3) is None
    # The ignored header block was still inflated: the next one decodes.
    peer.feed(peer.enc.headers(1, [("x-after", "goaway")], flags=spdywire.FLAG_FIN))
    (headers,) = ctrl_recv(peer.rec, spdylay.HEADERS)
    assert list(map(tuple, headers.nv)) == [("x-after", "goaway")]


def test_body_of_a_stream_ignored_after_our_goaway_gets_no_reset(version):
    """SPDY/3 section 2.2.2: DATA for a stream that is not open is
    INVALID_STREAM only while the receiver has not sent GOAWAY.  The body of
    a SYN_STREAM ignored after our GOAWAY is dropped without an answer, and
    the streams below last-good-stream-ID still get their DATA."""
    peer = RawPeer(spdylay.SERVER, version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV)))
    peer.session.submit_goaway(spdylay.GOAWAY_OK)
    peer.sent()
    peer.rec.clear()
    peer.feed(peer.enc.syn_stream(3, nv_on_wire(version, REQUEST_NV)))
    peer.feed(peer.enc.data(3, b"ignored body", flags=spdywire.FLAG_FIN))
    assert peer.sent() == []
    assert peer.rec.calls("on_data_chunk_recv_cb") == []
    assert peer.rec.calls("on_invalid_ctrl_recv_cb") == []
    peer.feed(peer.enc.data(1, b"still read", flags=spdywire.FLAG_FIN))
    assert peer.rec.calls("on_data_chunk_recv_cb") == [(spdywire.FLAG_FIN, 1, b"still read")]


def test_goaway_is_sent_only_once(version):
    peer = RawPeer(spdylay.SERVER, version)
    peer.session.submit_goaway(spdylay.GOAWAY_OK)
    peer.session.submit_goaway(spdylay.GOAWAY_PROTOCOL_ERROR)
    frames = peer.sent()
    assert [f.type for f in frames] == [spdywire.GOAWAY]
    ((frame, error),) = peer.rec.calls("on_ctrl_not_send_cb")
    assert frame.frame_type == spdylay.GOAWAY
    assert error == spdylay.ERR_GOAWAY_ALREADY_SENT


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 reports want_write() false after fail_session() while GOAWAY is queued"
)
def test_fail_session_sends_goaway_and_stops(version):
    peer = RawPeer(spdylay.CLIENT, version)
    assert peer.session.want_read() and not peer.session.want_write()
    peer.session.fail_session(spdylay.GOAWAY_PROTOCOL_ERROR)
    assert not peer.session.want_read()
    assert peer.session.want_write()
    (frame,) = peer.sent()
    assert frame.type == spdywire.GOAWAY
    assert frame.last_good_stream_id == 0
    assert frame.status_code == (
        None if version == spdylay.PROTO_SPDY2 else spdylay.GOAWAY_PROTOCOL_ERROR
    )
    assert not peer.session.want_write()
    assert not peer.session.want_read()
    peer.rec.clear()
    peer.feed(peer.enc.ping(2))
    assert peer.rec.events == []
    assert peer.sent() == []


def test_want_read_false_after_goaway_received_without_streams(version):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.feed(peer.enc.goaway(0))
    assert not peer.session.want_read()
    assert not peer.session.want_write()


def test_want_read_stays_true_while_streams_remain_after_goaway(version):
    peer = RawPeer(spdylay.SERVER, version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV), flags=spdywire.FLAG_FIN))
    peer.session.submit_goaway(spdylay.GOAWAY_OK)
    peer.sent()
    assert peer.session.want_read()
    peer.session.submit_response(1, RESPONSE_NV)
    assert peer.session.want_write()
    peer.sent()
    assert peer.rec.calls("on_stream_close_cb") == [(1, spdylay.OK)]
    assert not peer.session.want_read()
    assert not peer.session.want_write()


def test_want_write_follows_the_queue(version):
    peer = RawPeer(spdylay.CLIENT, version)
    assert not peer.session.want_write()
    peer.session.submit_ping()
    assert peer.session.want_write()
    assert peer.session.get_outbound_queue_size() == 1
    peer.sent()
    assert not peer.session.want_write()
    assert peer.session.get_outbound_queue_size() == 0


# --- RST_STREAM ---------------------------------------------------------------


@pytest.mark.parametrize("sender", ["client", "server"])
def test_rst_stream_closes_the_stream_on_both_sides(version, sender):
    pair = make_pair(version)
    pair.client.session.submit_request(0, REQUEST_NV)
    pump(pair)
    status = spdylay.CANCEL if sender == "client" else spdylay.INTERNAL_ERROR
    getattr(pair, sender).session.submit_rst_stream(1, status)
    pump(pair)
    receiver = pair.server if sender == "client" else pair.client
    (rst,) = ctrl_recv(receiver.rec, spdylay.RST_STREAM)
    assert (rst.stream_id, rst.status_code) == (1, status)
    assert pair.client.rec.calls("on_stream_close_cb") == [(1, status)]
    assert pair.server.rec.calls("on_stream_close_cb") == [(1, status)]
    # Nobody answers a RST_STREAM with a RST_STREAM.
    for endpoint in (pair.client, pair.server):
        frames = spdywire.parse_all(version, endpoint.wire)
        assert len(control_frames(frames, spdywire.RST_STREAM)) == (
            1 if endpoint is getattr(pair, sender) else 0
        )


def test_rst_stream_for_an_unknown_stream_is_ignored(version):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.feed(peer.enc.rst_stream(5, spdylay.CANCEL))
    assert peer.rec.calls("on_stream_close_cb") == []
    assert peer.sent() == []
    assert peer.session.want_read()


def test_queued_data_for_a_reset_stream_is_dropped(version):
    peer = RawPeer(spdylay.SERVER, version, on_request_recv_cb=answer_with({1: b"q" * 5 * 4096}))
    peer.feed(
        peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV), flags=spdywire.FLAG_FIN)
        + peer.enc.rst_stream(1, spdylay.CANCEL)
    )
    frames = peer.sent()
    assert data_frames(frames) == []
    assert peer.rec.calls("on_stream_close_cb") == [(1, spdylay.CANCEL)]


def test_reply_for_a_closed_stream_is_not_sent(version):
    peer = RawPeer(spdylay.SERVER, version)
    peer.feed(
        peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV), flags=spdywire.FLAG_FIN)
        + peer.enc.rst_stream(1, spdylay.CANCEL)
    )
    peer.session.submit_syn_reply(spdylay.CTRL_FLAG_FIN, 1, RESPONSE_NV)
    assert peer.sent() == []
    ((frame, error),) = peer.rec.calls("on_ctrl_not_send_cb")
    assert (frame.frame_type, frame.stream_id) == (spdylay.SYN_REPLY, 1)
    assert error == spdylay.ERR_STREAM_CLOSED


def test_headers_after_our_fin_are_not_sent(version):
    peer = RawPeer(spdylay.SERVER, version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV)))
    peer.session.submit_syn_reply(spdylay.CTRL_FLAG_FIN, 1, RESPONSE_NV)
    peer.sent()
    peer.session.submit_headers(spdylay.CTRL_FLAG_NONE, 1, [("x-late", "1")])
    assert peer.sent() == []
    ((frame, error),) = peer.rec.calls("on_ctrl_not_send_cb")
    assert (frame.frame_type, frame.stream_id) == (spdylay.HEADERS, 1)
    assert error == spdylay.ERR_STREAM_SHUT_WR


def test_no_stream_limit_until_the_peer_announces_one(version):
    """libspdylay 1.4's SPDYLAY_INITIAL_MAX_CONCURRENT_STREAMS is 2^31-1: a fresh
    pair completes 200 simultaneous requests."""
    closed = []

    def on_request_recv_cb(session, stream_id):
        session.submit_response(stream_id, RESPONSE_NV)

    pair = make_pair(
        version,
        client_kwargs={"on_stream_close_cb": lambda s, sid, code: closed.append(code)},
        server_kwargs={"on_request_recv_cb": on_request_recv_cb},
    )
    for _ in range(200):
        pair.client.session.submit_request(0, REQUEST_NV)
    requests = pair.client.flush()
    assert len(control_frames(spdywire.parse_all(version, requests), spdywire.SYN_STREAM)) == 200
    pair.server.session.recv(requests)
    pump(pair)
    assert closed == [spdylay.OK] * 200


def test_client_certificate_vector_size_is_a_valid_id(version):
    """ID 8 is SETTINGS_MAX, the largest valid ID: it goes on the wire."""
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_settings(
        spdylay.FLAG_SETTINGS_NONE, [(spdylay.SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE, 0, 4)]
    )
    (settings,) = peer.sent()
    assert settings.type == spdywire.SETTINGS
    assert settings.entries == [(8, 0, 4)]
