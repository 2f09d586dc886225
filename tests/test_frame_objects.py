"""Frame objects handed to callbacks: one class per frame type, plain Python
values copied out of C, still valid after the callback returns."""

import pytest
from helpers import REQUEST_NV, RawPeer, nv_on_wire

import spdylay

V3_ONLY = pytest.mark.parametrize("version", [spdylay.PROTO_SPDY3, spdylay.PROTO_SPDY3_1])


def received(version, side, build):
    frames = []
    peer = RawPeer(side, version, on_ctrl_recv_cb=lambda session, frame: frames.append(frame))
    peer.feed(build(peer.enc))
    return frames


def request(version):
    return [(name.encode(), value.encode()) for name, value in nv_on_wire(version, REQUEST_NV)]


def test_syn_stream_frame(version):
    (frame,) = received(
        version,
        spdylay.SERVER,
        lambda enc: enc.syn_stream(1, request(version), flags=spdylay.CTRL_FLAG_FIN, pri=2),
    )
    assert type(frame) is spdylay.SynStreamFrame
    assert isinstance(frame, spdylay.CtrlFrame)
    assert (
        frame.frame_type,
        frame.flags,
        frame.stream_id,
        frame.assoc_stream_id,
        frame.pri,
        frame.slot,
    ) == (spdylay.SYN_STREAM, spdylay.CTRL_FLAG_FIN, 1, 0, 2, 0)
    assert frame.version == (2 if version == spdylay.PROTO_SPDY2 else 3)
    assert frame.length > 10
    assert sorted(frame.nv) == sorted(REQUEST_NV)
    assert all(type(name) is str and type(value) is str for name, value in frame.nv)


def test_reply_like_frames(version):
    client = RawPeer(spdylay.CLIENT, version, on_ctrl_recv_cb=lambda s, f: frames.append(f))
    frames = []
    client.session.submit_request(0, REQUEST_NV)
    client.sent()
    client.feed(client.enc.syn_reply(1, [(b"x-a", b"1")]) + client.enc.headers(1, [(b"x-b", b"2")]))
    reply, headers = frames
    assert type(reply) is spdylay.SynReplyFrame
    assert type(headers) is spdylay.HeadersFrame
    assert not isinstance(headers, spdylay.SynReplyFrame)
    assert not isinstance(reply, spdylay.HeadersFrame)
    assert (reply.stream_id, reply.nv) == (1, [("x-a", "1")])
    assert (headers.stream_id, headers.nv) == (1, [("x-b", "2")])


def test_rst_stream_ping_goaway_settings(version):
    frames = received(
        version,
        spdylay.CLIENT,
        lambda enc: (
            enc.rst_stream(5, spdylay.CANCEL)
            + enc.ping(2)
            + enc.settings([(spdylay.SETTINGS_ROUND_TRIP_TIME, spdylay.ID_FLAG_SETTINGS_NONE, 9)])
            + enc.goaway(0, spdylay.GOAWAY_OK)
        ),
    )
    rst, ping, settings, goaway = frames
    assert type(rst) is spdylay.RstStreamFrame
    assert (rst.stream_id, rst.status_code) == (5, spdylay.CANCEL)
    assert type(ping) is spdylay.PingFrame and ping.unique_id == 2
    assert type(settings) is spdylay.SettingsFrame
    assert settings.iv == [(spdylay.SETTINGS_ROUND_TRIP_TIME, spdylay.ID_FLAG_SETTINGS_NONE, 9)]
    assert type(goaway) is spdylay.GoawayFrame
    assert (goaway.last_good_stream_id, goaway.status_code) == (0, spdylay.GOAWAY_OK)


@V3_ONLY
def test_window_update_frame(version):
    client = RawPeer(spdylay.CLIENT, version, on_ctrl_recv_cb=lambda s, f: frames.append(f))
    frames = []
    client.session.submit_syn_stream(spdylay.CTRL_FLAG_NONE, 0, 0, REQUEST_NV)
    client.sent()
    client.feed(client.enc.window_update(1, 1000))
    (frame,) = frames
    assert type(frame) is spdylay.WindowUpdateFrame
    assert (frame.stream_id, frame.delta_window_size) == (1, 1000)


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 discards received CREDENTIAL frames without a callback"
)
@V3_ONLY
def test_credential_frame(version):
    (frame,) = received(
        version,
        spdylay.SERVER,
        lambda enc: enc.credential(1, b"proof-bytes", [b"cert-one", b"cert-two"]),
    )
    assert type(frame) is spdylay.CredentialFrame
    assert (frame.slot, frame.proof, frame.certs) == (1, b"proof-bytes", [b"cert-one", b"cert-two"])


def test_frames_sent_are_frames_too(version):
    sent = []
    peer = RawPeer(
        spdylay.CLIENT,
        version,
        before_ctrl_send_cb=lambda s, f: sent.append(("before", f)),
        on_ctrl_send_cb=lambda s, f: sent.append(("after", f)),
    )
    peer.session.submit_request(3, REQUEST_NV)
    peer.sent()
    (_, before), (_, after) = sent
    for frame in (before, after):
        assert type(frame) is spdylay.SynStreamFrame
        assert (frame.stream_id, frame.pri) == (1, 3)
        assert sorted(frame.nv) == sorted(REQUEST_NV)


def test_repr_names_the_fields(version):
    (frame,) = received(version, spdylay.CLIENT, lambda enc: enc.ping(2))
    text = repr(frame)
    assert text.startswith("PingFrame(")
    assert "frame_type=%d" % spdylay.PING in text and "unique_id=2" in text


def test_empty_settings_frame(version):
    (frame,) = received(version, spdylay.CLIENT, lambda enc: enc.settings([]))
    assert type(frame) is spdylay.SettingsFrame and frame.iv == []


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 discards received CREDENTIAL frames without a callback"
)
@V3_ONLY
def test_credential_frame_without_certificates(version):
    (frame,) = received(version, spdylay.SERVER, lambda enc: enc.credential(2, b"", []))
    assert (frame.slot, frame.proof, frame.certs) == (2, b"", [])


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 reports some malformed frames through another callback, or none"
)
def test_empty_payloads_reach_callbacks_as_empty_bytes(version):
    calls = []
    peer = RawPeer(
        spdylay.CLIENT,
        version,
        on_ctrl_recv_parse_error_cb=lambda s, *args: calls.append(args),
        on_unknown_ctrl_recv_cb=lambda s, *args: calls.append(args),
    )
    peer.feed(peer.enc.control(0x7F, b""))
    peer.feed(peer.enc.control(spdylay.PING, b""))
    (unknown_head, unknown_payload), parse_error = calls
    assert len(unknown_head) == 8 and unknown_payload == b""
    frame_type, head, payload, error_code = parse_error
    assert (frame_type, len(head), payload) == (spdylay.PING, 8, b"")
    assert error_code < 0


def test_empty_data_frame_chunk(version):
    chunks = []
    peer = RawPeer(spdylay.CLIENT, version, on_data_chunk_recv_cb=lambda s, *a: chunks.append(a))
    peer.session.submit_syn_stream(spdylay.CTRL_FLAG_NONE, 0, 0, REQUEST_NV)
    peer.sent()
    peer.feed(
        peer.enc.syn_reply(1, [(b"x-a", b"1")]) + peer.enc.data(1, b"", flags=spdylay.DATA_FLAG_FIN)
    )
    assert all(type(data) is bytes for _, _, data in chunks)
    assert b"".join(data for _, _, data in chunks) == b""
