"""Request/response exchanges between a client and a server session in memory."""

import pytest
from helpers import (
    POST_NV,
    REQUEST_NV,
    RESPONSE_NV,
    Endpoint,
    RawPeer,
    body_provider,
    control_frames,
    data_frames,
    make_pair,
    nv_on_wire,
    pairs,
    pump,
)

import spdylay

import spdywire


def received_body(rec, stream_id):
    return b"".join(
        data for flags, sid, data in rec.calls("on_data_chunk_recv_cb") if sid == stream_id
    )


def responder(bodies, nv=RESPONSE_NV):
    """on_request_recv_cb answering each stream with ``bodies[stream_id]`` (or no body)."""
    answered = []

    def on_request_recv_cb(session, stream_id):
        answered.append(stream_id)
        body = bodies.get(stream_id)
        session.submit_response(stream_id, nv, None if body is None else body_provider(body))

    on_request_recv_cb.answered = answered
    return on_request_recv_cb


def test_request_and_response_with_bodies(version):
    request_body = bytes(range(251)) * 80  # 20080 bytes
    response_body = bytes(range(253)) * 200  # 50600 bytes
    respond = responder({1: response_body})
    pair = make_pair(version, server_kwargs={"on_request_recv_cb": respond})
    pair.client.session.submit_request(0, POST_NV, body_provider(request_body))
    pump(pair)

    server, client = pair.server.rec, pair.client.rec
    (syn,) = [
        args[0]
        for args in server.calls("on_ctrl_recv_cb")
        if args[0].frame_type == spdylay.SYN_STREAM
    ]
    assert syn.stream_id == 1
    assert pairs(syn.nv) == sorted(POST_NV)
    assert received_body(server, 1) == request_body
    assert respond.answered == [1]

    (reply,) = [
        args[0]
        for args in client.calls("on_ctrl_recv_cb")
        if args[0].frame_type == spdylay.SYN_REPLY
    ]
    assert reply.stream_id == 1
    assert pairs(reply.nv) == sorted(RESPONSE_NV)
    assert received_body(client, 1) == response_body

    assert client.calls("on_stream_close_cb") == [(1, spdylay.OK)]
    assert server.calls("on_stream_close_cb") == [(1, spdylay.OK)]

    # The same exchange read back from the wire by the independent codec.
    up = spdywire.parse_all(version, pair.client.wire)
    down = spdywire.parse_all(version, pair.server.wire)
    assert b"".join(f.data for f in data_frames(up, 1)) == request_body
    assert b"".join(f.data for f in data_frames(down, 1)) == response_body
    assert data_frames(up, 1)[-1].flags == spdywire.FLAG_FIN
    assert data_frames(down, 1)[-1].flags == spdywire.FLAG_FIN
    assert all(f.length <= 4096 for f in data_frames(up) + data_frames(down))


def test_request_received_once_after_its_last_data_frame(version):
    pair = make_pair(version)
    pair.client.session.submit_request(0, POST_NV, body_provider(b"x" * 5000))
    pump(pair)
    names = [
        name
        for name in pair.server.rec.names()
        if name in ("on_ctrl_recv_cb", "on_data_recv_cb", "on_request_recv_cb")
    ]
    assert names == ["on_ctrl_recv_cb", "on_data_recv_cb", "on_data_recv_cb", "on_request_recv_cb"]
    assert pair.server.rec.calls("on_data_recv_cb") == [
        (spdylay.DATA_FLAG_NONE, 1, 4096),
        (spdylay.DATA_FLAG_FIN, 1, 904),
    ]


def test_get_is_a_request_as_soon_as_its_syn_stream_arrives(version):
    respond = responder({})
    pair = make_pair(version, server_kwargs={"on_request_recv_cb": respond})
    pair.client.session.submit_request(0, REQUEST_NV)
    pump(pair)
    assert respond.answered == [1]
    names = [n for n in pair.server.rec.names() if n.startswith("on_ctrl_recv")]
    assert names == ["on_ctrl_recv_cb"]
    (up,) = spdywire.parse_all(version, pair.client.wire)
    assert up.flags == spdywire.FLAG_FIN
    assert pair.client.rec.calls("on_stream_close_cb") == [(1, spdylay.OK)]
    assert pair.server.rec.calls("on_stream_close_cb") == [(1, spdylay.OK)]


def test_data_send_callbacks_report_each_frame(version):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, POST_NV, body_provider(b"y" * 10000))
    peer.sent()
    assert peer.rec.calls("on_data_send_cb") == [
        (spdylay.DATA_FLAG_NONE, 1, 4096),
        (spdylay.DATA_FLAG_NONE, 1, 4096),
        (spdylay.DATA_FLAG_FIN, 1, 1808),
    ]
    names = [n for n in peer.rec.names() if n != "on_data_send_cb"]
    assert names == ["before_ctrl_send_cb", "on_ctrl_send_cb"]


def test_concurrent_streams_keep_their_own_bodies_and_user_data(version):
    bodies = {1: b"one" * 3000, 3: b"three" * 2000, 5: b"five" * 2500}
    respond = responder(bodies)
    closed_with = []

    def on_stream_close_cb(session, stream_id, status_code):
        closed_with.append((stream_id, status_code, session.get_stream_user_data(stream_id)))

    pair = make_pair(
        version,
        client_kwargs={"on_stream_close_cb": on_stream_close_cb},
        server_kwargs={"on_request_recv_cb": respond},
    )
    for name in ("first", "second", "third"):
        pair.client.session.submit_request(0, REQUEST_NV, stream_user_data=name)
    pump(pair)
    assert sorted(respond.answered) == [1, 3, 5]
    for stream_id, body in bodies.items():
        assert received_body(pair.client.rec, stream_id) == body
    assert sorted(closed_with) == [
        (1, spdylay.OK, "first"),
        (3, spdylay.OK, "second"),
        (5, spdylay.OK, "third"),
    ]
    # Closed streams are gone, and so is their user data.
    assert pair.client.session.get_stream_user_data(1) is None


@pytest.mark.bundled_core(
    reason="libspdylay 1.4 sends SYN_STREAMs in submission order, whatever their priority"
)
def test_stream_ids_follow_wire_order_not_submit_order(version):
    seen = []

    def before_ctrl_send_cb(session, frame):
        if frame.frame_type == spdylay.SYN_STREAM:
            seen.append((frame.stream_id, frame.pri, session.get_stream_user_data(frame.stream_id)))

    peer = RawPeer(spdylay.CLIENT, version, before_ctrl_send_cb=before_ctrl_send_cb)
    lowest = peer.session.get_pri_lowest()
    peer.session.submit_request(lowest, REQUEST_NV, stream_user_data="low")
    peer.session.submit_request(0, REQUEST_NV, stream_user_data="high")
    peer.session.submit_request(1, REQUEST_NV, stream_user_data="middle")
    assert peer.session.get_stream_user_data(1) is None
    frames = peer.sent()
    assert [(f.stream_id, f.pri) for f in frames] == [(1, 0), (3, 1), (5, lowest)]
    assert seen == [(1, 0, "high"), (3, 1, "middle"), (5, lowest, "low")]


def test_stream_ids_strictly_increase_across_sends(version):
    peer = RawPeer(spdylay.CLIENT, version)
    ids = []
    for pri in (peer.session.get_pri_lowest(), 0, 2):
        peer.session.submit_request(pri, REQUEST_NV)
        ids += [f.stream_id for f in peer.sent()]
    assert ids == [1, 3, 5]


def test_server_stream_ids_are_even(version):
    peer = RawPeer(spdylay.SERVER, version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV)))
    for _ in range(3):
        peer.session.submit_syn_stream(
            spdylay.CTRL_FLAG_UNIDIRECTIONAL | spdylay.CTRL_FLAG_FIN, 1, 0, [(":path", "/p")]
        )
    assert [f.stream_id for f in peer.sent()] == [2, 4, 6]


def test_higher_priority_stream_data_goes_first(version):
    bodies = {1: b"L" * 3 * 4096, 3: b"H" * 3 * 4096}
    peer = RawPeer(spdylay.SERVER, version, on_request_recv_cb=responder(bodies))
    lowest = peer.session.get_pri_lowest()
    peer.feed(
        peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV), flags=spdywire.FLAG_FIN, pri=lowest)
        + peer.enc.syn_stream(3, nv_on_wire(version, REQUEST_NV), flags=spdywire.FLAG_FIN, pri=0)
    )
    frames = peer.sent()
    assert [f.stream_id for f in control_frames(frames, spdywire.SYN_REPLY)] == [1, 3]
    assert [f.stream_id for f in data_frames(frames)] == [3, 3, 3, 1, 1, 1]


def test_equal_priority_streams_interleave_data(version):
    bodies = {1: b"a" * 3 * 4096, 3: b"b" * 3 * 4096}
    peer = RawPeer(spdylay.SERVER, version, on_request_recv_cb=responder(bodies))
    peer.feed(
        peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV), flags=spdywire.FLAG_FIN)
        + peer.enc.syn_stream(3, nv_on_wire(version, REQUEST_NV), flags=spdywire.FLAG_FIN)
    )
    frames = peer.sent()
    assert [f.stream_id for f in data_frames(frames)] == [1, 3, 1, 3, 1, 3]


def test_input_split_byte_by_byte_gives_the_same_callbacks(version):
    body = bytes(range(256)) * 30
    sender = Endpoint(spdylay.CLIENT, version)
    sender.session.submit_request(0, POST_NV, body_provider(body))
    sender.session.submit_ping()
    wire = sender.flush()

    whole = RawPeer(spdylay.SERVER, version)
    whole.feed(wire)
    split = RawPeer(spdylay.SERVER, version)
    for i in range(len(wire)):
        split.feed(wire[i : i + 1])

    def summary(rec):
        ctrl = [
            (f.frame_type, f.stream_id if hasattr(f, "stream_id") else None)
            for (f,) in rec.calls("on_ctrl_recv_cb")
        ]
        return ctrl, rec.calls("on_data_recv_cb"), rec.calls("on_request_recv_cb")

    assert summary(split.rec) == summary(whole.rec)
    # PING outranks the stream's frames in the sender's queue.
    assert summary(whole.rec)[0] == [(spdylay.PING, None), (spdylay.SYN_STREAM, 1)]
    assert received_body(split.rec, 1) == received_body(whole.rec, 1) == body
    # DATA is handed over as it arrives, not buffered until the frame is whole.
    chunks = split.rec.calls("on_data_chunk_recv_cb")
    assert len(chunks) == len(body)
    assert all(len(data) == 1 for _, _, data in chunks)
    (syn,) = [
        f for (f,) in split.rec.calls("on_ctrl_recv_cb") if f.frame_type == spdylay.SYN_STREAM
    ]
    assert pairs(syn.nv) == sorted(POST_NV)


def test_partial_writes_keep_the_unsent_tail(version):
    written = bytearray()
    calls = {"n": 0}

    def stingy_send_cb(session, data):
        calls["n"] += 1
        if calls["n"] % 3 == 0:
            return 0
        chunk = data[:7]
        written.extend(chunk)
        return len(chunk)

    endpoint = Endpoint(spdylay.CLIENT, version, send_cb=stingy_send_cb)
    endpoint.session.submit_request(0, POST_NV, body_provider(b"z" * 9000))
    endpoint.session.send()
    assert endpoint.session.want_write()
    rounds = 0
    while endpoint.session.want_write():
        endpoint.session.send()
        rounds += 1
        assert rounds < 10000
    frames = spdywire.parse_all(version, written)
    assert [f.type for f in frames if f.control] == [spdywire.SYN_STREAM]
    assert b"".join(f.data for f in data_frames(frames, 1)) == b"z" * 9000


def test_recv_pulls_from_recv_cb_until_it_would_block(version):
    sender = Endpoint(spdylay.CLIENT, version)
    sender.session.submit_request(0, REQUEST_NV)
    incoming = bytearray(sender.flush())
    asked = []

    def recv_cb(session, length):
        asked.append(length)
        chunk = bytes(incoming[:5])
        del incoming[:5]
        return chunk

    receiver = Endpoint(spdylay.SERVER, version, recv_cb=recv_cb)
    receiver.session.recv()
    assert not incoming
    assert all(length > 0 for length in asked)
    assert receiver.rec.calls("on_request_recv_cb") == [(1,)]


def test_recv_reports_eof(version):
    def recv_cb(session, length):
        raise EOFError

    receiver = Endpoint(spdylay.SERVER, version, recv_cb=recv_cb)
    with pytest.raises(spdylay.EOFError):
        receiver.session.recv()


def test_each_received_header_list_arrives_whole_after_larger_and_smaller_ones(version):
    # The core builds every received list in one reused buffer: a list
    # after a larger one, and one after a smaller one, must come out whole.
    large_nv = REQUEST_NV + [("x-large-%02d" % i, "v" * (100 + i)) for i in range(40)]
    medium_nv = REQUEST_NV + [("x-medium", "m" * 300), ("x-joined", "a"), ("x-joined", "b")]
    submitted = [REQUEST_NV, large_nv, REQUEST_NV, medium_nv]
    pair = make_pair(version, server_kwargs={"on_request_recv_cb": responder({})})
    for nv in submitted:
        pair.client.session.submit_request(0, nv)
    pump(pair)

    syns = [
        args[0]
        for args in pair.server.rec.calls("on_ctrl_recv_cb")
        if args[0].frame_type == spdylay.SYN_STREAM
    ]
    assert [syn.stream_id for syn in syns] == [1, 3, 5, 7]
    assert [pairs(syn.nv) for syn in syns] == [sorted(nv) for nv in submitted]
