"""What a Session keeps for a request that is never sent is released as soon
as the session drops the request, while the session stays open: its
stream_user_data, its DataProvider and the provider's source.

A SYN_STREAM that is refused (a GOAWAY was received or sent, or the stream
it is pushed on closed first) never opens a stream, so no on_stream_close
releases it: the release follows the refusal that on_ctrl_not_send reports.
Queued DATA dropped because its stream was reset goes with the stream.
Whatever is still queued goes when the session closes.
"""

import gc
import weakref

import pytest
from helpers import (
    POST_NV,
    REQUEST_NV,
    RESPONSE_NV,
    RawPeer,
    control_frames,
    nv_on_wire,
    pairs,
)

import spdylay

import spdywire

# libspdylay 1.4 hands on_ctrl_not_send a refused SYN_STREAM with stream ID 0
# and no way to find its stream_user_data.
REFUSAL_FINDS_ITS_OBJECTS = pytest.mark.bundled_core(
    reason="libspdylay 1.4 cannot tell which request on_ctrl_not_send refused; "
    "its objects are released when the session closes"
)


class Source:
    """A DataProvider's source, serving a short body."""

    def __init__(self, body=b"request body"):
        self.body = body

    def read(self, session, stream_id, length, read_ctrl, source):
        read_ctrl.flags = spdylay.READ_EOF
        return source.body


class UserData:
    """stream_user_data, as an application would attach to a request."""


def deferring_read(session, stream_id, length, read_ctrl, source):
    return spdylay.ERR_DEFERRED


class Request:
    """Weak references to what one submitted request handed to the Session."""

    def __init__(self, session, read_cb=None):
        source = Source()
        user_data = UserData()
        provider = spdylay.DataProvider(source, read_cb or source.read)
        session.submit_request(0, POST_NV, provider, user_data)
        self.source = weakref.ref(source)
        self.user_data = weakref.ref(user_data)

    def alive(self):
        gc.collect()
        return (self.source() is not None, self.user_data() is not None)


def not_sent(peer):
    return [
        (frame.frame_type, frame.stream_id, pairs(frame.nv), error_code)
        for frame, error_code in peer.rec.calls("on_ctrl_not_send_cb")
    ]


def refused_request(nv=POST_NV):
    """What on_ctrl_not_send reports for a request refused after GOAWAY."""
    return (spdylay.SYN_STREAM, 0, sorted(nv), spdylay.ERR_SYN_STREAM_NOT_ALLOWED)


def assert_open(session):
    assert session.get_outbound_queue_size() == 0
    session.submit_ping()
    session.send()


@REFUSAL_FINDS_ITS_OBJECTS
@pytest.mark.parametrize("submitted", ["before", "after"])
def test_request_refused_after_goaway_arrived_is_released(version, submitted):
    peer = RawPeer(spdylay.CLIENT, version)
    if submitted == "before":
        request = Request(peer.session)
        peer.feed(peer.enc.goaway(0))
        # Still queued: a request is kept until the session gives up on it.
        assert request.alive() == (True, True)
    else:
        peer.feed(peer.enc.goaway(0))
        request = Request(peer.session)
    assert peer.sent() == []
    assert not_sent(peer) == [refused_request()]
    assert request.alive() == (False, False)
    assert_open(peer.session)


@REFUSAL_FINDS_ITS_OBJECTS
def test_request_queued_behind_our_own_goaway_is_released_when_refused(version):
    peer = RawPeer(spdylay.CLIENT, version)
    request = Request(peer.session)
    peer.session.submit_goaway(spdylay.GOAWAY_OK)
    assert [frame.type for frame in peer.sent()] == [spdywire.GOAWAY]
    assert not_sent(peer) == [refused_request()]
    assert request.alive() == (False, False)
    assert_open(peer.session)


@REFUSAL_FINDS_ITS_OBJECTS
@pytest.mark.parametrize("attached", ["user_data", "provider"])
def test_refused_request_with_only_one_of_its_objects_releases_it(version, attached):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.feed(peer.enc.goaway(0))
    kept = Source() if attached == "provider" else UserData()
    if attached == "provider":
        peer.session.submit_request(0, POST_NV, spdylay.DataProvider(kept, kept.read))
    else:
        peer.session.submit_request(0, REQUEST_NV, stream_user_data=kept)
    kept = weakref.ref(kept)
    peer.sent()
    gc.collect()
    assert kept() is None
    assert len(not_sent(peer)) == 1


@REFUSAL_FINDS_ITS_OBJECTS
def test_refused_syn_stream_releases_its_stream_user_data(version):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.feed(peer.enc.goaway(0))
    user_data = UserData()
    peer.session.submit_syn_stream(spdylay.CTRL_FLAG_FIN, 0, 0, REQUEST_NV, user_data)
    user_data = weakref.ref(user_data)
    assert peer.sent() == []
    assert not_sent(peer) == [refused_request(REQUEST_NV)]
    gc.collect()
    assert user_data() is None


@REFUSAL_FINDS_ITS_OBJECTS
def test_refused_request_is_released_without_an_on_ctrl_not_send_cb(version):
    peer = RawPeer(spdylay.CLIENT, version, on_ctrl_not_send_cb=None)
    peer.feed(peer.enc.goaway(0))
    request = Request(peer.session)
    assert peer.sent() == []
    assert request.alive() == (False, False)
    assert_open(peer.session)


@REFUSAL_FINDS_ITS_OBJECTS
def test_refused_request_is_released_when_on_ctrl_not_send_cb_raises(version):
    class Boom(Exception):
        pass

    def on_ctrl_not_send_cb(session, frame, error_code):
        raise Boom()

    peer = RawPeer(spdylay.CLIENT, version, on_ctrl_not_send_cb=on_ctrl_not_send_cb)
    peer.feed(peer.enc.goaway(0))
    request = Request(peer.session)
    with pytest.raises(Boom):
        peer.session.send()
    assert request.alive() == (False, False)
    assert_open(peer.session)


@REFUSAL_FINDS_ITS_OBJECTS
def test_requests_waiting_for_a_concurrent_stream_are_kept_until_refused(version):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.feed(peer.enc.settings([(spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, 0, 1)]))
    peer.sent()
    first, second, third = (Request(peer.session) for _ in range(3))
    frames = peer.sent()
    assert [(f.type, f.stream_id) for f in control_frames(frames, spdywire.SYN_STREAM)] == [
        (spdywire.SYN_STREAM, 1)
    ]
    # Waiting for the peer to allow another stream is not being dropped.
    assert [r.alive() for r in (first, second, third)] == [(True, True)] * 3
    peer.feed(peer.enc.goaway(1))
    peer.sent()
    assert not_sent(peer) == [refused_request()] * 2
    assert [r.alive() for r in (first, second, third)] == [
        (True, True),
        (False, False),
        (False, False),
    ]
    # The accepted stream keeps its objects until it closes.
    peer.feed(peer.enc.syn_reply(1, nv_on_wire(version, RESPONSE_NV), flags=spdywire.FLAG_FIN))
    assert peer.rec.calls("on_stream_close_cb") == [(1, spdylay.OK)]
    assert first.alive() == (False, False)


@REFUSAL_FINDS_ITS_OBJECTS
def test_push_refused_because_its_stream_closed_first_is_released(version):
    peer = RawPeer(spdylay.SERVER, version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV), flags=spdywire.FLAG_FIN))
    user_data = UserData()
    push_nv = [(":scheme", "https"), (":host", "example.org"), (":path", "/a.css")]
    peer.session.submit_syn_stream(spdylay.CTRL_FLAG_UNIDIRECTIONAL, 1, 0, push_nv, user_data)
    user_data = weakref.ref(user_data)
    peer.feed(peer.enc.rst_stream(1, spdylay.CANCEL))
    assert peer.sent() == []
    ((frame, error_code),) = peer.rec.calls("on_ctrl_not_send_cb")
    assert (frame.frame_type, frame.assoc_stream_id, error_code) == (
        spdylay.SYN_STREAM,
        1,
        spdylay.ERR_STREAM_CLOSED,
    )
    gc.collect()
    assert user_data() is None
    assert_open(peer.session)


def test_deferred_data_of_a_reset_stream_is_released(version):
    peer = RawPeer(spdylay.CLIENT, version)
    request = Request(peer.session, read_cb=deferring_read)
    (syn_stream,) = peer.sent()
    assert syn_stream.stream_id == 1
    assert request.alive() == (True, True)
    peer.feed(peer.enc.rst_stream(1, spdylay.CANCEL))
    assert peer.rec.calls("on_stream_close_cb") == [(1, spdylay.CANCEL)]
    assert request.alive() == (False, False)
    assert_open(peer.session)


def test_response_body_queued_before_its_stream_was_reset_is_released(version):
    peer = RawPeer(spdylay.SERVER, version)
    peer.feed(peer.enc.syn_stream(1, nv_on_wire(version, REQUEST_NV), flags=spdywire.FLAG_FIN))
    source = Source()
    peer.session.submit_response(1, RESPONSE_NV, spdylay.DataProvider(source, source.read))
    source = weakref.ref(source)
    peer.feed(peer.enc.rst_stream(1, spdylay.CANCEL))
    peer.sent()
    gc.collect()
    assert source() is None
    assert_open(peer.session)


def test_close_releases_requests_still_queued(version):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.feed(peer.enc.settings([(spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, 0, 1)]))
    requests = [Request(peer.session) for _ in range(3)]
    peer.sent()
    assert [r.alive() for r in requests] == [(True, True)] * 3
    peer.session.close()
    assert [r.alive() for r in requests] == [(False, False)] * 3


@REFUSAL_FINDS_ITS_OBJECTS
def test_submitting_after_goaway_keeps_memory_bounded():
    peer = RawPeer(spdylay.CLIENT, spdylay.PROTO_SPDY3_1, record=False)
    peer.feed(peer.enc.goaway(0))
    sources = weakref.WeakSet()
    most_alive = 0
    for count in range(1, 2001):
        source = Source()
        sources.add(source)
        peer.session.submit_request(
            0, POST_NV, spdylay.DataProvider(source, source.read), UserData()
        )
        del source
        if count % 500 == 0:
            peer.session.send()
            gc.collect()
            most_alive = max(most_alive, len(sources))
    peer.session.send()
    gc.collect()
    assert most_alive == 0
    assert len(sources) == 0
    assert peer.endpoint.wire == b""
    assert_open(peer.session)


@REFUSAL_FINDS_ITS_OBJECTS
def test_request_submitted_from_on_ctrl_not_send_cb_is_refused_and_released_too(version):
    resubmitted = []

    def on_ctrl_not_send_cb(session, frame, error_code):
        if not resubmitted:
            resubmitted.append(Request(session))

    peer = RawPeer(spdylay.CLIENT, version, on_ctrl_not_send_cb=on_ctrl_not_send_cb)
    peer.feed(peer.enc.goaway(0))
    request = Request(peer.session)
    assert peer.sent() == []
    assert request.alive() == (False, False)
    assert resubmitted[0].alive() == (False, False)
    assert_open(peer.session)


@REFUSAL_FINDS_ITS_OBJECTS
def test_close_from_on_ctrl_not_send_cb_is_refused_and_the_request_released(version):
    refusals = []

    def on_ctrl_not_send_cb(session, frame, error_code):
        try:
            session.close()
        except spdylay.InvalidStateError as exc:
            refusals.append(exc)
            raise

    peer = RawPeer(spdylay.CLIENT, version, on_ctrl_not_send_cb=on_ctrl_not_send_cb)
    peer.feed(peer.enc.goaway(0))
    request = Request(peer.session)
    with pytest.raises(spdylay.InvalidStateError):
        peer.session.send()
    assert len(refusals) == 1
    assert request.alive() == (False, False)
    assert_open(peer.session)
    peer.session.close()
