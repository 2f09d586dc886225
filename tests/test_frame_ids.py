"""_callbacks.FrameIds, the private hook spdylay.aio learns sent frames'
stream IDs by: a frame callback wrapped in it gets each frame's type and ID
instead of a frame object, for every frame type, and fails like any other
callback."""

import pytest
from helpers import RawPeer, make_pair, nv_on_wire, pump

import spdylay
from spdylay._callbacks import FrameIds, SentFrameIds, StreamFrames

import spdywire

NV = [(":method", "GET"), (":path", "/"), (":version", "HTTP/1.1")]
NV += [(":host", "h"), (":scheme", "http")]
REPLY = [(":status", "200 OK"), (":version", "HTTP/1.1")]


def recorder(calls):
    def record(session, frame_type, frame_id):
        calls.append((frame_type, frame_id))

    return record


def test_sent_and_received_frames_come_as_type_and_id(version):
    sent, received, server_sent = [], [], []
    pair = make_pair(
        version,
        client_kwargs={"on_ctrl_send_cb": FrameIds(recorder(sent))},
        server_kwargs={
            "on_ctrl_recv_cb": FrameIds(recorder(received)),
            "on_ctrl_send_cb": FrameIds(recorder(server_sent)),
            "on_request_recv_cb": lambda session, stream_id: session.submit_response(
                stream_id, REPLY
            ),
        },
    )
    client = pair.client.session
    client.submit_settings(0, [(spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, 0, 10)])
    client.submit_request(3, NV)
    client.submit_request(3, NV)
    client.submit_ping()
    pump(pair)
    client.submit_rst_stream(5, spdylay.CANCEL)
    client.submit_goaway(0)
    pair.server.session.submit_goaway(0)
    pump(pair)
    expected = [
        (spdylay.SETTINGS, 0),
        (spdylay.SYN_STREAM, 1),
        (spdylay.SYN_STREAM, 3),
        (spdylay.PING, 1),
        (spdylay.RST_STREAM, 5),
        (spdylay.GOAWAY, 0),
    ]
    # PING and SETTINGS may overtake the SYN_STREAMs.
    assert sorted(sent) == sorted(expected)
    assert sorted(received) == sorted(expected)
    # The server's GOAWAY names the last stream it took.
    assert (spdylay.GOAWAY, 3) in server_sent


def test_replies_headers_and_window_updates_carry_their_stream(version):
    client_sent, server_sent = [], []

    def reply(session, frame):
        if frame.frame_type == spdylay.SYN_STREAM:
            session.submit_syn_reply(0, frame.stream_id, REPLY)

    pair = make_pair(
        version,
        client_kwargs={"on_ctrl_send_cb": FrameIds(recorder(client_sent))},
        server_kwargs={
            "on_ctrl_send_cb": FrameIds(recorder(server_sent)),
            "on_ctrl_recv_cb": reply,
        },
    )
    client = pair.client.session
    # A request body that never comes keeps stream 1 open both ways.
    client.submit_request(3, NV, spdylay.DataProvider(None, _deferred))
    pump(pair)
    client.submit_headers(0, 1, [("x-late", "1")])
    if version != spdylay.PROTO_SPDY2:
        client.submit_window_update(1, 100)
    pump(pair)
    assert server_sent == [(spdylay.SYN_REPLY, 1)]
    expected = [(spdylay.SYN_STREAM, 1), (spdylay.HEADERS, 1)]
    if version != spdylay.PROTO_SPDY2:
        expected.append((spdylay.WINDOW_UPDATE, 1))
    assert client_sent == expected


def _deferred(session, stream_id, length, read_ctrl, source):
    return spdylay.ERR_DEFERRED


def test_a_failing_frame_ids_callback_fails_send_like_any_callback(version):
    def fails(session, frame_type, frame_id):
        raise LookupError("callback failed for %d" % frame_id)

    pair = make_pair(version, client_kwargs={"on_ctrl_send_cb": FrameIds(fails)})
    pair.client.session.submit_request(3, NV)
    with pytest.raises(LookupError, match="callback failed for 1"):
        pair.client.session.send()


def test_a_plain_callback_still_gets_frame_objects(version):
    frames = []
    pair = make_pair(
        version, client_kwargs={"on_ctrl_send_cb": lambda session, frame: frames.append(frame)}
    )
    pair.client.session.submit_request(3, NV)
    pump(pair)
    assert [(frame.frame_type, frame.stream_id) for frame in frames] == [(spdylay.SYN_STREAM, 1)]
    assert frames[0].nv


def test_arguments_after_the_frame_pass_through(version):
    def bad_stream(peer):
        # A client's streams are odd: stream 2 from a client is invalid.
        peer.feed(peer.enc.syn_stream(2, nv_on_wire(version, NV), flags=spdywire.FLAG_FIN))

    ids = []
    plain = RawPeer(spdylay.SERVER, version)
    bad_stream(plain)
    ((frame, status),) = plain.rec.calls("on_invalid_ctrl_recv_cb")
    wrapped = RawPeer(
        spdylay.SERVER,
        version,
        on_invalid_ctrl_recv_cb=FrameIds(lambda session, *args: ids.append(args)),
    )
    bad_stream(wrapped)
    assert ids == [(spdylay.SYN_STREAM, 2, status)] == [(frame.frame_type, frame.stream_id, status)]


@pytest.mark.parametrize("wrapper", [FrameIds, SentFrameIds, StreamFrames])
def test_a_wrapper_holding_arguments_of_its_own_passes_them_on(wrapper):
    """The trampoline calls the wrapped function directly only when the
    wrapper holds nothing else: a wrapper made with arguments of its own,
    as functools.partial allows, still gets them first, and keywords too."""
    calls = []

    def record(tag, session, frame_type, *rest, keyword):
        calls.append((tag, keyword, frame_type))

    name = "on_ctrl_recv_cb" if wrapper is StreamFrames else "on_ctrl_send_cb"
    pair = make_pair(
        spdylay.PROTO_SPDY3_1,
        client_kwargs={name: wrapper(record, "tag", keyword="kw")},
        server_kwargs={
            "on_request_recv_cb": lambda session, stream_id: session.submit_response(
                stream_id, REPLY
            )
        },
    )
    pair.client.session.submit_request(3, NV)
    pump(pair)
    expected = spdylay.SYN_REPLY if wrapper is StreamFrames else spdylay.SYN_STREAM
    assert ("tag", "kw", expected) in calls
