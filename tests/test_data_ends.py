"""_callbacks.DataEnds and SentFrameIds, the private hooks spdylay.aio
receives frames and a body's end and learns its streams by.  A
StreamFrames on_ctrl_recv_cb gets each frame's fields, not a frame object.  With DataEnds the end
of a body reaches on_data_chunk_recv_cb as DATA_FLAG_FIN on the chunk that
ends its last frame, on_data_recv_cb runs only for an end no chunk
carried, and a stream's consecutive frames gather into one chunk.  A
SentFrameIds on_ctrl_send_cb gets a sent SYN_STREAM's stream_user_data,
and only the frame types the session was told to send on."""

import pytest
from helpers import REQUEST_NV, RESPONSE_NV, SPDY2_NAMES, RawPeer, make_pair, pump

import spdylay
from spdylay._callbacks import DataEnds, SentFrameIds, StreamFrames

import spdywire

FIN = spdylay.DATA_FLAG_FIN


class Client:
    """A client Session with streams 1 and 3 open, whose peer is built by
    hand, recording chunks and ends in one list."""

    def __init__(self, version, data_ends=True):
        self.events = []
        on_data_recv = self._end
        self.peer = RawPeer(
            spdylay.CLIENT,
            version,
            on_data_chunk_recv_cb=self._chunk,
            on_data_recv_cb=DataEnds(on_data_recv) if data_ends else on_data_recv,
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


def test_a_body_of_one_frame_ends_on_its_chunk(version):
    client = Client(version)
    client.feed(client.data(1, b"whole body", FIN))
    assert client.events == [("chunk", 1, FIN, b"whole body")]


def test_frames_of_one_stream_gather_and_only_the_last_chunk_ends(version):
    client = Client(version)
    client.feed(client.data(1, b"one "), client.data(1, b"two "), client.data(1, b"three", FIN))
    assert client.events == [("chunk", 1, FIN, b"one two three")]


def test_a_frame_split_between_receives_ends_only_on_its_last_part(version):
    client = Client(version)
    frame = client.data(1, b"first half, second half", FIN)
    client.feed(frame[:20])
    assert client.events == [("chunk", 1, 0, b"first half, ")]
    client.feed(frame[20:])
    assert client.events[1:] == [("chunk", 1, FIN, b"second half")]


def test_frames_without_fin_call_no_end(version):
    client = Client(version)
    client.feed(client.data(1, b"part one"))
    client.feed(client.data(1, b"part two"))
    assert client.events == [("chunk", 1, 0, b"part one"), ("chunk", 1, 0, b"part two")]


def test_an_empty_fin_frame_ends_the_chunk_before_it_in_the_same_receive(version):
    client = Client(version)
    client.feed(client.data(1, b"body"), client.data(1, b"", FIN))
    assert client.events == [("chunk", 1, FIN, b"body")]


def test_an_end_no_chunk_carries_calls_on_data_recv(version):
    client = Client(version)
    client.feed(client.data(1, b"body"))
    client.feed(client.data(1, b"", FIN))
    assert client.events == [("chunk", 1, 0, b"body"), ("end", 1, FIN, 0)]


def test_an_end_after_another_streams_chunk_comes_after_that_chunk(version):
    client = Client(version)
    client.feed(client.data(1, b"of one"), client.data(3, b"of three"), client.data(1, b"", FIN))
    assert client.events == [
        ("chunk", 1, 0, b"of one"),
        ("chunk", 3, 0, b"of three"),
        ("end", 1, FIN, 0),
    ]
    client.feed(client.data(3, b" and its end", FIN))
    assert client.events[3:] == [("chunk", 3, FIN, b" and its end")]


def test_without_data_ends_every_frame_ends_as_before(version):
    client = Client(version, data_ends=False)
    client.feed(client.data(1, b"one "), client.data(1, b"two", FIN))
    assert client.events == [
        ("chunk", 1, 0, b"one "),
        ("end", 1, 0, 4),
        ("chunk", 1, FIN, b"two"),
        ("end", 1, FIN, 3),
    ]


def test_a_failing_end_fails_recv_like_any_callback(version):
    def fails(session, flags, stream_id, length):
        raise LookupError("end of %d failed" % stream_id)

    peer = RawPeer(spdylay.CLIENT, version, on_data_recv_cb=DataEnds(fails))
    peer.session.submit_request(3, REQUEST_NV)
    peer.sent()
    peer.feed(peer.enc.syn_reply(1, _wire(version, RESPONSE_NV)))
    with pytest.raises(LookupError, match="end of 1 failed"):
        peer.feed(peer.enc.data(1, b"", FIN))


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
