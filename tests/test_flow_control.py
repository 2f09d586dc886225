"""Flow control: SPDY/3 stream windows, SPDY/3.1 stream and connection windows."""

import pytest
from helpers import (
    POST_NV,
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

WINDOW = 65536
V3_AND_31 = pytest.mark.parametrize(
    "version", [spdylay.PROTO_SPDY3, spdylay.PROTO_SPDY3_1], ids=["spdy3", "spdy3.1"]
)
NO_AUTO_UPDATE = {spdylay.OPT_NO_AUTO_WINDOW_UPDATE: True}


def data_bytes(frames, stream_id=None):
    return sum(f.length for f in data_frames(frames, stream_id))


def window_updates(frames):
    return sorted(
        (f.stream_id, f.delta_window_size) for f in control_frames(frames, spdywire.WINDOW_UPDATE)
    )


def stalled_client(version, body_length=200000):
    """A client that has sent all the DATA the initial windows allow."""
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, POST_NV, body_provider(b"u" * body_length))
    frames = peer.sent()
    return peer, frames


def server_receiving(version, stream_ids=(1,), **kwargs):
    """A server with the peer's upload streams open, its callbacks recorded."""
    peer = RawPeer(spdylay.SERVER, version, **kwargs)
    for stream_id in stream_ids:
        peer.feed(peer.enc.syn_stream(stream_id, nv_on_wire(version, POST_NV)))
    peer.sent()
    peer.rec.clear()
    return peer


def send_data(peer, stream_id, total, fin=False):
    """Feed ``total`` bytes of DATA in 4096-byte frames."""
    sent = 0
    while sent < total:
        size = min(4096, total - sent)
        last = sent + size == total
        flags = spdywire.FLAG_FIN if fin and last else 0
        peer.feed(peer.enc.data(stream_id, b"d" * size, flags))
        sent += size


@V3_AND_31
def test_sender_stalls_at_the_initial_window(version):
    peer, frames = stalled_client(version)
    assert data_bytes(frames, 1) == WINDOW
    assert [f.length for f in data_frames(frames)] == [4096] * 16
    assert not peer.session.want_write()
    assert peer.sent() == []


def test_spdy3_stream_window_update_resumes_the_sender():
    peer, _ = stalled_client(spdylay.PROTO_SPDY3)
    peer.feed(peer.enc.window_update(1, 10000))
    frames = peer.sent()
    assert [f.length for f in data_frames(frames, 1)] == [4096, 4096, 1808]
    assert peer.sent() == []


def test_spdy31_needs_both_windows_open():
    peer, _ = stalled_client(spdylay.PROTO_SPDY3_1)
    peer.feed(peer.enc.window_update(1, 10000))
    assert peer.sent() == []
    peer.feed(peer.enc.window_update(0, 5000))
    assert data_bytes(peer.sent(), 1) == 5000
    peer.feed(peer.enc.window_update(0, 20000))
    # Now the stream window (10000, half used) is the limit.
    assert data_bytes(peer.sent(), 1) == 5000


def test_spdy31_connection_window_is_shared_by_streams():
    peer = RawPeer(spdylay.CLIENT, spdylay.PROTO_SPDY3_1)
    peer.session.submit_request(0, POST_NV, body_provider(b"a" * 40000))
    peer.session.submit_request(0, POST_NV, body_provider(b"b" * 40000))
    frames = peer.sent()
    assert data_bytes(frames) == WINDOW
    assert data_bytes(frames, 1) < 40000 or data_bytes(frames, 3) < 40000
    peer.feed(peer.enc.window_update(0, 80000 - WINDOW))
    rest = peer.sent()
    assert data_bytes(frames) + data_bytes(rest) == 80000
    fins = [f.stream_id for f in data_frames(frames + rest) if f.flags & spdywire.FLAG_FIN]
    assert sorted(fins) == [1, 3]


def test_spdy2_has_no_flow_control():
    peer, frames = stalled_client(spdylay.PROTO_SPDY2)
    assert data_bytes(frames, 1) == 200000
    assert data_frames(frames)[-1].flags == spdywire.FLAG_FIN


@pytest.mark.bundled_core(reason="libspdylay 1.4 sends WINDOW_UPDATE in SPDY/2")
def test_spdy2_receiver_sends_no_window_update():
    peer = server_receiving(spdylay.PROTO_SPDY2)
    send_data(peer, 1, 4 * WINDOW)
    assert sum(length for _, _, length in peer.rec.calls("on_data_recv_cb")) == 4 * WINDOW
    assert window_updates(peer.sent()) == []


@V3_AND_31
def test_receiver_sends_window_update_at_half_the_window(version):
    peer = server_receiving(version)
    send_data(peer, 1, 7 * 4096)
    assert peer.sent() == []
    send_data(peer, 1, 4096)
    expected = [(1, 32768)]
    if version == spdylay.PROTO_SPDY3_1:
        expected = [(0, 32768), (1, 32768)]
    assert window_updates(peer.sent()) == expected


@V3_AND_31
def test_no_stream_window_update_once_the_peer_finished(version):
    peer = server_receiving(version)
    send_data(peer, 1, 8 * 4096, fin=True)
    expected = [] if version == spdylay.PROTO_SPDY3 else [(0, 32768)]
    assert window_updates(peer.sent()) == expected


@V3_AND_31
def test_option_turns_automatic_window_update_off(version):
    peer = server_receiving(version, config=NO_AUTO_UPDATE)
    send_data(peer, 1, WINDOW)
    assert peer.sent() == []
    assert len(peer.rec.calls("on_data_recv_cb")) == 16


@V3_AND_31
def test_large_upload_flows_with_automatic_window_updates(version):
    body = bytes(range(256)) * 1200  # 307200 bytes, well past one window
    pair = make_pair(version)
    pair.client.session.submit_request(0, POST_NV, body_provider(body))
    pump(pair)
    got = b"".join(d for _, sid, d in pair.server.rec.calls("on_data_chunk_recv_cb"))
    assert got == body
    updates = window_updates(spdywire.parse_all(version, pair.server.wire))
    assert updates
    assert all(delta == 32768 for _, delta in updates)
    streams = {stream_id for stream_id, _ in updates}
    assert streams == ({1} if version == spdylay.PROTO_SPDY3 else {0, 1})


def test_spdy3_settings_initial_window_size_grows_open_streams():
    peer, _ = stalled_client(spdylay.PROTO_SPDY3)
    peer.feed(peer.enc.settings([(spdylay.SETTINGS_INITIAL_WINDOW_SIZE, 0, WINDOW + 10000)]))
    assert data_bytes(peer.sent(), 1) == 10000


def test_spdy31_settings_initial_window_size_leaves_the_connection_window():
    peer, _ = stalled_client(spdylay.PROTO_SPDY3_1)
    peer.feed(peer.enc.settings([(spdylay.SETTINGS_INITIAL_WINDOW_SIZE, 0, WINDOW + 10000)]))
    assert peer.sent() == []
    peer.feed(peer.enc.window_update(0, 100000))
    assert data_bytes(peer.sent(), 1) == 10000


@V3_AND_31
def test_settings_can_drive_an_open_stream_window_negative(version):
    peer, _ = stalled_client(version)
    if version == spdylay.PROTO_SPDY3_1:
        peer.feed(peer.enc.window_update(0, 1000000))
    peer.feed(peer.enc.settings([(spdylay.SETTINGS_INITIAL_WINDOW_SIZE, 0, 16384)]))
    assert peer.sent() == []
    # The window is 16384 - 65536 = -49152: this update leaves 848 to send.
    peer.feed(peer.enc.window_update(1, 50000))
    assert data_bytes(peer.sent(), 1) == 848


@V3_AND_31
def test_settings_initial_window_size_applies_to_new_streams(version):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.feed(peer.enc.settings([(spdylay.SETTINGS_INITIAL_WINDOW_SIZE, 0, 1000)]))
    peer.session.submit_request(0, POST_NV, body_provider(b"n" * 5000))
    assert data_bytes(peer.sent(), 1) == 1000


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 lets DATA overrun the stream and connection windows"
)
@V3_AND_31
def test_a_window_we_lower_is_announced_but_the_old_one_is_enforced(version):
    """SPDY has no SETTINGS acknowledgement: a peer that sent within the
    window it knew, before our SETTINGS reached it, is not reset; past the
    old window it is."""
    peer = RawPeer(spdylay.SERVER, version, config=NO_AUTO_UPDATE)
    peer.session.submit_settings(
        spdylay.FLAG_SETTINGS_NONE, [(spdylay.SETTINGS_INITIAL_WINDOW_SIZE, 0, 1000)]
    )
    if version == spdylay.PROTO_SPDY3_1:
        # Room in the connection window for the stream's to fill.
        peer.session.submit_window_update(0, 1000)
    (settings,) = control_frames(peer.sent(), spdywire.SETTINGS)
    assert settings.entries == [(spdylay.SETTINGS_INITIAL_WINDOW_SIZE, 0, 1000)]
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, POST_NV)))
    peer.feed(peer.enc.data(1, b"o" * WINDOW))
    assert peer.sent() == []
    peer.feed(peer.enc.data(1, b"o"))
    frames = peer.sent()
    assert [(f.stream_id, f.status_code) for f in control_frames(frames, spdywire.RST_STREAM)] == [
        (1, spdylay.FLOW_CONTROL_ERROR)
    ]
    assert control_frames(frames, spdywire.GOAWAY) == []
    assert peer.rec.calls("on_stream_close_cb") == [(1, spdylay.FLOW_CONTROL_ERROR)]


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 lets DATA overrun the stream and connection windows"
)
def test_spdy3_peer_overrunning_the_default_window():
    peer = server_receiving(spdylay.PROTO_SPDY3, config=NO_AUTO_UPDATE)
    send_data(peer, 1, WINDOW + 1)
    frames = peer.sent()
    assert [(f.type, f.stream_id, f.status_code) for f in frames] == [
        (spdywire.RST_STREAM, 1, spdylay.FLOW_CONTROL_ERROR)
    ]


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 lets DATA overrun the stream and connection windows"
)
def test_spdy31_peer_overrunning_the_connection_window_is_a_session_error():
    peer = server_receiving(spdylay.PROTO_SPDY3_1, stream_ids=(1, 3), config=NO_AUTO_UPDATE)
    send_data(peer, 1, 40000)
    send_data(peer, 3, WINDOW - 40000)
    assert peer.sent() == []
    send_data(peer, 3, 1)
    frames = peer.sent()
    (goaway,) = control_frames(frames, spdywire.GOAWAY)
    assert goaway.status_code == spdylay.GOAWAY_PROTOCOL_ERROR
    assert goaway.last_good_stream_id == 3
    assert not peer.session.want_read()


@V3_AND_31
def test_window_update_overflowing_a_stream_window(version):
    def deferred(session, stream_id, length, read_ctrl, source):
        return spdylay.ERR_DEFERRED

    # Deferred DATA keeps the stream open for sending with its whole window.
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, POST_NV, spdylay.DataProvider(None, deferred))
    assert [f.type for f in peer.sent()] == [spdywire.SYN_STREAM]
    peer.feed(peer.enc.window_update(1, 0x7FFFFFFF))
    frames = peer.sent()
    assert [(f.type, f.stream_id, f.status_code) for f in frames] == [
        (spdywire.RST_STREAM, 1, spdylay.FLOW_CONTROL_ERROR)
    ]


def test_spdy31_window_update_overflowing_the_connection_window():
    peer = RawPeer(spdylay.CLIENT, spdylay.PROTO_SPDY3_1)
    peer.feed(peer.enc.window_update(0, 0x7FFFFFFF))
    (frame,) = peer.sent()
    assert frame.type == spdywire.GOAWAY
    assert frame.status_code == spdylay.GOAWAY_PROTOCOL_ERROR
    assert not peer.session.want_read()


def test_spdy3_window_update_for_stream_zero_is_a_session_error():
    peer = RawPeer(spdylay.CLIENT, spdylay.PROTO_SPDY3)
    peer.feed(peer.enc.window_update(0, 1000))
    (frame,) = peer.sent()
    assert frame.type == spdywire.GOAWAY
    assert frame.status_code == spdylay.GOAWAY_PROTOCOL_ERROR


@V3_AND_31
def test_window_update_for_an_unknown_stream_is_ignored(version):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.feed(peer.enc.window_update(9, 1000))
    assert peer.sent() == []
    assert peer.session.want_read()


@V3_AND_31
def test_window_update_arguments_are_checked(version):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, POST_NV, body_provider(b"w" * 10))
    peer.sent()
    for delta in (0, -1, 1 << 31):
        with pytest.raises(spdylay.InvalidArgumentError):
            peer.session.submit_window_update(1, delta)
    with pytest.raises(spdylay.StreamClosedError):
        peer.session.submit_window_update(3, 100)


@V3_AND_31
def test_unacknowledged_byte_counts(version):
    peer = server_receiving(version, config=NO_AUTO_UPDATE)
    assert peer.session.get_stream_recv_data_length(1) == 0
    send_data(peer, 1, 10000)
    assert peer.session.get_stream_recv_data_length(1) == 10000
    connection = 10000 if version == spdylay.PROTO_SPDY3_1 else 0
    assert peer.session.get_recv_data_length() == connection
    assert peer.session.get_stream_recv_data_length(9) == -1


@V3_AND_31
def test_automatic_window_update_resets_the_counts(version):
    peer = server_receiving(version)
    send_data(peer, 1, 9 * 4096)
    assert peer.session.get_stream_recv_data_length(1) == 4096
    if version == spdylay.PROTO_SPDY3_1:
        assert peer.session.get_recv_data_length() == 4096


@V3_AND_31
def test_option2_reopens_windows_only_for_consumed_bytes(version):
    peer = server_receiving(version, config={spdylay.OPT_NO_AUTO_WINDOW_UPDATE2: True})
    send_data(peer, 1, 40000)
    assert peer.sent() == []
    peer.session.consume(1, 20000)
    assert peer.sent() == []
    peer.session.consume(1, 20000)
    expected = [(1, 40000)]
    if version == spdylay.PROTO_SPDY3_1:
        expected = [(0, 40000), (1, 40000)]
    assert window_updates(peer.sent()) == expected


@V3_AND_31
def test_consume_gives_back_no_more_than_arrived(version):
    peer = server_receiving(version, config={spdylay.OPT_NO_AUTO_WINDOW_UPDATE2: True})
    send_data(peer, 1, 40000)
    peer.session.consume(1, 2**31 - 1)
    expected = [(1, 40000)]
    if version == spdylay.PROTO_SPDY3_1:
        expected = [(0, 40000), (1, 40000)]
    assert window_updates(peer.sent()) == expected
    # Nothing left to give back: the peer's window stays at what it may send.
    peer.session.consume(1, 2**31 - 1)
    peer.session.consume(1, 40000)
    assert window_updates(peer.sent()) == []


def test_consume_needs_option2():
    peer = server_receiving(spdylay.PROTO_SPDY3)
    send_data(peer, 1, 100)
    with pytest.raises(spdylay.InvalidStateError):
        peer.session.consume(1, 100)


@V3_AND_31
def test_option2_sends_no_stream_window_update_once_the_peer_finished(version):
    peer = server_receiving(version, config={spdylay.OPT_NO_AUTO_WINDOW_UPDATE2: True})
    send_data(peer, 1, 40000, fin=True)
    peer.session.consume(1, 40000)
    expected = [] if version == spdylay.PROTO_SPDY3 else [(0, 40000)]
    assert window_updates(peer.sent()) == expected
