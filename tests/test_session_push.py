"""Server push: unidirectional SYN_STREAMs associated with a client's stream."""

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
    pairs,
    pump,
)

import spdylay

import spdywire

PUSH_NV = [
    (":scheme", "https"),
    (":host", "example.org:8443"),
    (":path", "/style.css"),
    (":status", "200 OK"),
    (":version", "HTTP/1.1"),
]


def test_pushed_stream_with_body_reaches_the_client(version):
    push_body = b"body{}" * 1500
    page_body = b"<html>" * 100
    server_seen = []

    def on_request_recv_cb(session, stream_id):
        session.submit_syn_stream(
            spdylay.CTRL_FLAG_UNIDIRECTIONAL, stream_id, 0, PUSH_NV, stream_user_data="pushed"
        )
        session.submit_response(stream_id, RESPONSE_NV, body_provider(page_body))

    def before_ctrl_send_cb(session, frame):
        if frame.frame_type == spdylay.SYN_STREAM:
            server_seen.append((frame.stream_id, session.get_stream_user_data(frame.stream_id)))

    def on_ctrl_send_cb(session, frame):
        if frame.frame_type == spdylay.SYN_STREAM:
            session.submit_data(frame.stream_id, spdylay.DATA_FLAG_FIN, body_provider(push_body))

    pair = make_pair(
        version,
        server_kwargs={
            "on_request_recv_cb": on_request_recv_cb,
            "before_ctrl_send_cb": before_ctrl_send_cb,
            "on_ctrl_send_cb": on_ctrl_send_cb,
        },
    )
    pair.client.session.submit_request(0, REQUEST_NV)
    pump(pair)

    assert server_seen == [(2, "pushed")]
    client = pair.client.rec
    (push,) = [f for (f,) in client.calls("on_ctrl_recv_cb") if f.frame_type == spdylay.SYN_STREAM]
    assert push.stream_id == 2
    assert push.assoc_stream_id == 1
    assert push.flags == spdylay.CTRL_FLAG_UNIDIRECTIONAL
    assert pairs(push.nv) == sorted(PUSH_NV)
    pushed = b"".join(d for _, sid, d in client.calls("on_data_chunk_recv_cb") if sid == 2)
    page = b"".join(d for _, sid, d in client.calls("on_data_chunk_recv_cb") if sid == 1)
    assert pushed == push_body
    assert page == page_body
    assert sorted(client.calls("on_stream_close_cb")) == [(1, spdylay.OK), (2, spdylay.OK)]
    assert sorted(pair.server.rec.calls("on_stream_close_cb")) == [(1, spdylay.OK), (2, spdylay.OK)]
    # The client never answers a unidirectional stream.
    up = spdywire.parse_all(version, pair.client.wire)
    assert [(f.type, f.stream_id) for f in up if f.control] == [(spdywire.SYN_STREAM, 1)]
    down = spdywire.parse_all(version, pair.server.wire)
    (push_syn,) = control_frames(down, spdywire.SYN_STREAM)
    first_page_data = data_frames(down, 1)[0]
    # The push is announced before the content that could make the client ask for it.
    assert down.index(push_syn) < down.index(first_page_data)


def test_push_without_body_closes_at_once_on_the_client(version):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, REQUEST_NV)
    peer.sent()
    peer.rec.clear()
    peer.feed(
        peer.enc.syn_stream(
            2,
            nv_on_wire(version, PUSH_NV),
            assoc_stream_id=1,
            flags=spdywire.FLAG_UNIDIRECTIONAL | spdywire.FLAG_FIN,
        )
    )
    (frame,) = [f for (f,) in peer.rec.calls("on_ctrl_recv_cb")]
    assert (frame.stream_id, frame.assoc_stream_id) == (2, 1)
    assert frame.flags == spdylay.CTRL_FLAG_UNIDIRECTIONAL | spdylay.CTRL_FLAG_FIN
    assert peer.rec.calls("on_stream_close_cb") == [(2, spdylay.OK)]
    assert peer.rec.calls("on_request_recv_cb") == []
    assert peer.sent() == []


def test_client_receives_pushed_data_then_closes(version):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, REQUEST_NV)
    peer.sent()
    peer.feed(
        peer.enc.syn_stream(
            2, nv_on_wire(version, PUSH_NV), assoc_stream_id=1, flags=spdywire.FLAG_UNIDIRECTIONAL
        )
    )
    peer.rec.clear()
    peer.feed(peer.enc.data(2, b"pushed", flags=spdywire.FLAG_FIN))
    assert peer.rec.events == [
        ("on_data_chunk_recv_cb", (spdylay.DATA_FLAG_FIN, 2, b"pushed")),
        ("on_data_recv_cb", (spdylay.DATA_FLAG_FIN, 2, 6)),
        ("on_stream_close_cb", (2, spdylay.OK)),
    ]
    assert peer.sent() == []


def test_released_argument_order_of_submit_syn_stream(version):
    """python-spdylay's released form: (flags, pri, nv, assoc_stream_id=...)."""
    peer = RawPeer(spdylay.SERVER, version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV)))
    peer.session.submit_syn_stream(
        spdylay.CTRL_FLAG_UNIDIRECTIONAL, 1, PUSH_NV, assoc_stream_id=1, stream_user_data="u"
    )
    (frame,) = peer.sent()
    assert (frame.stream_id, frame.assoc_stream_id, frame.pri) == (2, 1, 1)
    assert frame.flags == spdywire.FLAG_UNIDIRECTIONAL


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.submit_syn_stream(spdylay.CTRL_FLAG_NONE, pri=3, nv=REQUEST_NV),
        lambda s: s.submit_syn_stream(flags=spdylay.CTRL_FLAG_NONE, pri=3, nv=REQUEST_NV),
    ],
    ids=["flags positional", "all keywords"],
)
def test_released_argument_order_with_keywords(version, call):
    """Without assoc_stream_id, which the documented order requires, a call
    can only be in the released order."""
    peer = RawPeer(spdylay.CLIENT, version)
    call(peer.session)
    (frame,) = peer.sent()
    assert (frame.stream_id, frame.assoc_stream_id, frame.pri) == (1, 0, 3)


def test_submit_syn_stream_with_missing_arguments_names_both_orders(version):
    peer = RawPeer(spdylay.CLIENT, version)
    with pytest.raises(TypeError, match=r"submit_syn_stream\(\) takes .* released") as info:
        peer.session.submit_syn_stream(spdylay.CTRL_FLAG_NONE, pri=3)
    assert "_args" not in str(info.value)


def test_seed_argument_order_with_keywords(version):
    peer = RawPeer(spdylay.SERVER, version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV)))
    peer.session.submit_syn_stream(
        flags=spdylay.CTRL_FLAG_UNIDIRECTIONAL, assoc_stream_id=1, pri=2, nv=PUSH_NV
    )
    (frame,) = peer.sent()
    assert (frame.stream_id, frame.assoc_stream_id, frame.pri) == (2, 1, 2)


@pytest.mark.parametrize("assoc", ["never-opened", "closed", "server-own"])
def test_push_needs_an_open_client_stream(version, assoc):
    peer = RawPeer(spdylay.SERVER, version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV), flags=spdywire.FLAG_FIN))
    assoc_stream_id = {"never-opened": 3, "closed": 1, "server-own": 2}[assoc]
    if assoc == "closed":
        peer.session.submit_response(1, RESPONSE_NV)
        peer.sent()
        assert peer.rec.calls("on_stream_close_cb") == [(1, spdylay.OK)]
    if assoc == "server-own":
        peer.session.submit_syn_stream(spdylay.CTRL_FLAG_UNIDIRECTIONAL, 1, 0, PUSH_NV)
        assert [f.stream_id for f in peer.sent()] == [2]
    with pytest.raises(spdylay.InvalidArgumentError):
        peer.session.submit_syn_stream(
            spdylay.CTRL_FLAG_UNIDIRECTIONAL, assoc_stream_id, 0, PUSH_NV
        )


def test_client_assoc_stream_id_is_ignored(version):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_syn_stream(spdylay.CTRL_FLAG_FIN, 7, 0, REQUEST_NV)
    (frame,) = peer.sent()
    assert (frame.stream_id, frame.assoc_stream_id) == (1, 0)
    assert frame.flags == spdywire.FLAG_FIN


def test_pushed_stream_data_goes_after_its_syn_stream(version):
    stream_ids = []

    def on_ctrl_send_cb(session, frame):
        if frame.frame_type == spdylay.SYN_STREAM:
            stream_ids.append(frame.stream_id)
            session.submit_data(frame.stream_id, spdylay.DATA_FLAG_FIN, body_provider(b"p" * 5000))

    push = RawPeer(spdylay.SERVER, version, on_ctrl_send_cb=on_ctrl_send_cb)
    push.feed(push.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV), flags=spdywire.FLAG_FIN))
    push.session.submit_syn_stream(spdylay.CTRL_FLAG_UNIDIRECTIONAL, 1, 0, PUSH_NV)
    frames = push.sent()
    assert stream_ids == [2]
    assert frames[0].type == spdywire.SYN_STREAM
    data = data_frames(frames, 2)
    assert [f.length for f in data] == [4096, 904]
    assert data[-1].flags == spdywire.FLAG_FIN


@pytest.mark.parametrize("assoc", ["never-opened", "closed"])
def test_push_for_a_stream_that_is_not_open_is_refused(version, assoc):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, REQUEST_NV)
    peer.sent()
    if assoc == "closed":
        peer.feed(peer.enc.syn_reply(1, nv_on_wire(version, RESPONSE_NV), flags=spdywire.FLAG_FIN))
        assert peer.rec.calls("on_stream_close_cb") == [(1, spdylay.OK)]
    peer.rec.clear()
    assoc_stream_id = 5 if assoc == "never-opened" else 1
    peer.feed(
        peer.enc.syn_stream(
            2,
            nv_on_wire(version, PUSH_NV),
            assoc_stream_id=assoc_stream_id,
            flags=spdywire.FLAG_UNIDIRECTIONAL,
        )
    )
    frames = peer.sent()
    assert [(f.type, f.stream_id, f.status_code) for f in frames] == [
        (spdywire.RST_STREAM, 2, spdylay.PROTOCOL_ERROR)
    ]
    assert peer.rec.calls("on_ctrl_recv_cb") == []
    ((frame, status),) = peer.rec.calls("on_invalid_ctrl_recv_cb")
    assert (frame.frame_type, frame.stream_id, frame.assoc_stream_id, status) == (
        spdylay.SYN_STREAM,
        2,
        assoc_stream_id,
        spdylay.PROTOCOL_ERROR,
    )


def test_client_syn_stream_with_an_assoc_stream_id_is_refused(version):
    peer = RawPeer(spdylay.SERVER, version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV)))
    peer.rec.clear()
    peer.feed(peer.enc.syn_stream(3, nv_on_wire(version, REQUEST_NV), assoc_stream_id=1))
    frames = peer.sent()
    assert [(f.type, f.stream_id, f.status_code) for f in frames] == [
        (spdywire.RST_STREAM, 3, spdylay.PROTOCOL_ERROR)
    ]
    assert peer.rec.calls("on_ctrl_recv_cb") == []
    assert peer.rec.calls("on_request_recv_cb") == []


@pytest.mark.parametrize("with_body", [False, True], ids=["no-body", "body"])
def test_push_submitted_before_the_response_goes_out_first(version, with_body):
    """SPDY/3 section 3.3.1: the pushed SYN_STREAM precedes the response that
    references it; a body-less response (FIN) must not close the associated
    stream before the push is out."""
    peer = RawPeer(spdylay.SERVER, version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV), flags=spdywire.FLAG_FIN))
    peer.rec.clear()
    peer.session.submit_syn_stream(spdylay.CTRL_FLAG_UNIDIRECTIONAL, 1, 3, PUSH_NV)
    peer.session.submit_response(1, RESPONSE_NV, body_provider(b"page") if with_body else None)
    frames = peer.sent()
    order = [(f.type, f.stream_id) if f.control else ("DATA", f.stream_id) for f in frames]
    expected = [(spdywire.SYN_STREAM, 2), (spdywire.SYN_REPLY, 1)]
    if with_body:
        expected.append(("DATA", 1))
    assert order == expected
    push = frames[0]
    assert (push.assoc_stream_id, push.pri, push.flags) == (1, 3, spdywire.FLAG_UNIDIRECTIONAL)
    assert frames[1].flags == (0 if with_body else spdywire.FLAG_FIN)
    assert peer.rec.calls("on_ctrl_not_send_cb") == []
    assert peer.rec.calls("on_stream_close_cb") == [(1, spdylay.OK)]
