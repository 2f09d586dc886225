"""_callbacks.StreamFrames and SentFrameIds, the private hooks spdylay.aio
receives frames and learns its streams by.  A StreamFrames on_ctrl_recv_cb
gets each frame's fields, not a frame object; a SentFrameIds
on_ctrl_send_cb gets a sent SYN_STREAM's stream_user_data, and only the
frame types the session was told to send on.  Beside them, the order in
which a DATA frame's chunk and its end reach plain callbacks."""

import pytest
from helpers import REQUEST_NV, RESPONSE_NV, SPDY2_NAMES, RawPeer, make_pair, pump

import spdylay
from spdylay._callbacks import SentFrameIds, StreamFrames

import spdywire

FIN = spdylay.DATA_FLAG_FIN


class Client:
    """A client Session with streams 1 and 3 open, whose peer is built by
    hand, recording chunks and ends in one list."""

    def __init__(self, version):
        self.events = []
        self.peer = RawPeer(
            spdylay.CLIENT,
            version,
            on_data_chunk_recv_cb=self._chunk,
            on_data_recv_cb=self._end,
        )
        session = self.peer.session
        session.submit_request(3, REQUEST_NV)
        session.submit_request(3, REQUEST_NV)
        self.peer.sent()
        enc = self.peer.enc
        self.peer.feed(enc.syn_reply(1, _wire(version, RESPONSE_NV)))
        self.peer.feed(enc.syn_reply(3, _wire(version, RESPONSE_NV)))
        del self.events[:]

    def _chunk(self, session, flags, stream_id, data):
        self.events.append(("chunk", stream_id, flags & FIN, data))

    def _end(self, session, flags, stream_id, length):
        self.events.append(("end", stream_id, flags & FIN, length))

    def feed(self, *frames):
        self.peer.feed(b"".join(frames))

    def data(self, stream_id, payload, flags=0):
        return self.peer.enc.data(stream_id, payload, flags)


def _wire(version, nv):
    if version == spdylay.PROTO_SPDY2:
        return [(SPDY2_NAMES.get(name, name), value) for name, value in nv]
    return nv


def test_each_frame_ends_after_its_chunk(version):
    client = Client(version)
    client.feed(client.data(1, b"one "), client.data(1, b"two", FIN))
    assert client.events == [
        ("chunk", 1, 0, b"one "),
        ("end", 1, 0, 4),
        ("chunk", 1, FIN, b"two"),
        ("end", 1, FIN, 3),
    ]


# --- SentFrameIds -----------------------------------------------------------------


def sent_recorder(calls):
    def record(session, frame_type, frame_id, stream_user_data):
        calls.append((frame_type, frame_id, stream_user_data))

    return record


def test_a_sent_syn_stream_comes_with_its_stream_user_data(version):
    sent = []
    pair = make_pair(version, client_kwargs={"on_ctrl_send_cb": SentFrameIds(sent_recorder(sent))})
    client = pair.client.session
    first, second = object(), object()
    client.submit_request(3, REQUEST_NV, stream_user_data=first)
    client.submit_request(3, REQUEST_NV)
    client.submit_request(3, REQUEST_NV, stream_user_data=second)
    client.submit_ping()
    pump(pair)
    assert sorted(sent, key=lambda call: (call[0], call[1])) == [
        (spdylay.SYN_STREAM, 1, first),
        (spdylay.SYN_STREAM, 3, None),
        (spdylay.SYN_STREAM, 5, second),
        (spdylay.PING, 1, None),
    ]


def test_only_the_frame_types_asked_for_are_sent_on(version):
    sent = []
    pair = make_pair(version, client_kwargs={"on_ctrl_send_cb": SentFrameIds(sent_recorder(sent))})
    client = pair.client.session
    client._send_ctrl_types([spdylay.PING])
    client.submit_request(3, REQUEST_NV, stream_user_data="request")
    client.submit_ping()
    pump(pair)
    assert sent == [(spdylay.PING, 1, None)]
    client._send_ctrl_types([spdylay.SYN_STREAM, spdylay.RST_STREAM])
    client.submit_ping()
    client.submit_request(3, REQUEST_NV, stream_user_data="second")
    client.submit_rst_stream(1, spdylay.CANCEL)
    pump(pair)
    assert sorted(sent[1:]) == [(spdylay.SYN_STREAM, 3, "second"), (spdylay.RST_STREAM, 1, None)]
    client._send_ctrl_types([])
    client.submit_ping()
    pump(pair)
    assert len(sent) == 3


def test_the_frame_type_filter_applies_to_plain_callbacks_too(version):
    frames = []
    pair = make_pair(
        version, client_kwargs={"on_ctrl_send_cb": lambda session, frame: frames.append(frame)}
    )
    client = pair.client.session
    client._send_ctrl_types([spdylay.SYN_STREAM])
    client.submit_ping()
    client.submit_request(3, REQUEST_NV)
    pump(pair)
    assert [(frame.frame_type, frame.stream_id) for frame in frames] == [(spdylay.SYN_STREAM, 1)]


def test_the_filter_of_a_closed_session_cannot_be_set(version):
    session = spdylay.Session(spdylay.CLIENT, version)
    session.close()
    with pytest.raises(spdylay.InvalidStateError):
        session._send_ctrl_types([spdylay.SYN_STREAM])


def test_a_failing_sent_frame_ids_callback_fails_send(version):
    def fails(session, frame_type, frame_id, stream_user_data):
        raise LookupError("sent %r" % (stream_user_data,))

    pair = make_pair(version, client_kwargs={"on_ctrl_send_cb": SentFrameIds(fails)})
    pair.client.session.submit_request(3, REQUEST_NV, stream_user_data="mine")
    with pytest.raises(LookupError, match="sent 'mine'"):
        pair.client.session.send()


# --- StreamFrames -----------------------------------------------------------------


def fields_client(version):
    """A client with stream 1 open whose on_ctrl_recv_cb, wrapped in
    StreamFrames, records its arguments in ``peer.fields``."""
    fields = []
    peer = RawPeer(
        spdylay.CLIENT,
        version,
        on_ctrl_recv_cb=StreamFrames(lambda session, *args: fields.append(args)),
    )
    peer.fields = fields
    peer.session.submit_request(3, REQUEST_NV)
    peer.sent()
    return peer


def test_received_frames_come_as_their_fields(version):
    peer = fields_client(version)
    enc = peer.enc
    # The names as applications see them, in every version.
    reply = RESPONSE_NV
    pushed = [(":scheme", "https"), (":host", "h"), (":path", "/pushed")] + RESPONSE_NV
    peer.feed(
        enc.syn_reply(1, _wire(version, reply))
        + enc.headers(1, [("x-late", "yes")])
        + enc.syn_stream(
            2, _wire(version, pushed), flags=spdywire.FLAG_UNIDIRECTIONAL, assoc_stream_id=1
        )
        + enc.ping(2)
        + enc.settings([(spdylay.SETTINGS_MAX_CONCURRENT_STREAMS, 0, 5)])
        + enc.goaway(1)
    )
    assert peer.fields == [
        (spdylay.SYN_REPLY, 1, 0, reply, 0),
        (spdylay.HEADERS, 1, 0, [("x-late", "yes")], 0),
        (spdylay.SYN_STREAM, 2, spdywire.FLAG_UNIDIRECTIONAL, pushed, 1),
        (spdylay.PING, 2, 0, None, 0),
        (spdylay.SETTINGS, 0, 0, None, 0),
        (spdylay.GOAWAY, 1, 0, None, 0),
    ]


def test_the_fin_of_a_reply_comes_in_its_flags(version):
    peer = fields_client(version)
    peer.feed(peer.enc.syn_reply(1, _wire(version, RESPONSE_NV), flags=spdywire.FLAG_FIN))
    assert peer.fields == [(spdylay.SYN_REPLY, 1, spdylay.CTRL_FLAG_FIN, RESPONSE_NV, 0)]


def test_a_failing_stream_frames_callback_fails_recv(version):
    def fails(session, frame_type, frame_id, flags, nv, assoc_stream_id):
        raise LookupError("frame %d failed" % frame_type)

    peer = RawPeer(spdylay.SERVER, version, on_ctrl_recv_cb=StreamFrames(fails))
    with pytest.raises(LookupError, match="frame %d failed" % spdylay.PING):
        peer.feed(peer.enc.ping(1))
