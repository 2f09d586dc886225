"""DataProvider: bodies read on demand, kept alive by the Session until their
stream closes, deferred and resumed, and failing per stream or per session."""

import gc
import weakref

import pytest
from helpers import (
    POST_NV,
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
from spdylay._spdylay import ffi, lib

import spdylay


def collect():
    for _ in range(3):
        gc.collect()


class Body:
    """A body source that tests can hold weak references to."""

    def __init__(self, data):
        self.data = data
        self.offset = 0


def reads_in_turn(chunks, calls=None):
    """A read_cb returning ``chunks`` one per call, READ_EOF with the last;
    the stream ID of each call goes to ``calls``."""

    def read_cb(session, stream_id, length, read_ctrl, source):
        if calls is not None:
            calls.append(stream_id)
        chunk = chunks.pop(0)
        if not chunks:
            read_ctrl.flags = spdylay.READ_EOF
        return chunk

    return read_cb


def read_body(session, stream_id, length, read_ctrl, source):
    chunk = source.data[source.offset : source.offset + length]
    source.offset += len(chunk)
    if source.offset == len(source.data):
        read_ctrl.flags = spdylay.READ_EOF
    return chunk


def received_body(rec, stream_id):
    return b"".join(data for _, sid, data in rec.calls("on_data_chunk_recv_cb") if sid == stream_id)


def test_attributes():
    source = object()
    provider = spdylay.DataProvider(source, read_body)
    assert provider.source is source
    assert provider.read_cb is read_body


def test_read_cb_must_be_callable():
    with pytest.raises(TypeError):
        spdylay.DataProvider(b"body", b"not callable")


def test_read_cb_arguments(version):
    calls = []

    def read_cb(session, stream_id, length, read_ctrl, source):
        calls.append(
            (session, stream_id, length, type(read_ctrl).__name__, read_ctrl.flags, source)
        )
        read_ctrl.flags = spdylay.READ_EOF
        return b"abc"

    source = object()
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, POST_NV, spdylay.DataProvider(source, read_cb))
    frames = peer.sent()
    assert calls == [(peer.session, 1, 65536, "ReadCtrl", 0, source)]
    (data,) = data_frames(frames, 1)
    assert (data.data, data.flags) == (b"abc", spdylay.DATA_FLAG_FIN)


def test_dropping_the_provider_before_the_stream_closes_is_safe(version):
    body = bytes(range(256)) * 100
    pair = make_pair(version)
    pair.client.session.submit_request(0, POST_NV, spdylay.DataProvider(Body(body), read_body))
    collect()
    pump(pair)
    assert received_body(pair.server.rec, 1) == body


def test_provider_and_user_data_released_when_stream_closes(version):
    class UserData:
        pass

    source, user_data = Body(b"x" * 10000), UserData()
    refs = [weakref.ref(source), weakref.ref(user_data)]
    pair = make_pair(
        version,
        server_kwargs={"on_request_recv_cb": lambda s, sid: s.submit_response(sid, RESPONSE_NV)},
    )
    pair.client.session.submit_request(
        0, POST_NV, spdylay.DataProvider(source, read_body), stream_user_data=user_data
    )
    del source, user_data
    pair.server.session.recv(pair.client.flush())
    collect()
    assert all(ref() is not None for ref in refs)
    assert pair.client.session.get_stream_user_data(1) is refs[1]()
    pump(pair)
    assert pair.client.rec.calls("on_stream_close_cb") == [(1, spdylay.OK)]
    collect()
    assert [ref() for ref in refs] == [None, None]


def test_response_provider_released_when_stream_closes(version):
    sources = [Body(b"y" * 20000)]
    ref = weakref.ref(sources[0])

    def on_request_recv_cb(session, stream_id):
        session.submit_response(
            stream_id, RESPONSE_NV, spdylay.DataProvider(sources.pop(), read_body)
        )

    pair = make_pair(version, server_kwargs={"on_request_recv_cb": on_request_recv_cb})
    pair.client.session.submit_request(0, REQUEST_NV)
    pump(pair)
    assert received_body(pair.client.rec, 1) == b"y" * 20000
    collect()
    assert ref() is None


def test_stream_user_data_visible_until_on_stream_close_returns(version):
    marker = object()
    seen = []

    def on_stream_close_cb(session, stream_id, status_code):
        seen.append(session.get_stream_user_data(stream_id))

    pair = make_pair(
        version,
        client_kwargs={"on_stream_close_cb": on_stream_close_cb},
        server_kwargs={"on_request_recv_cb": lambda s, sid: s.submit_response(sid, RESPONSE_NV)},
    )
    pair.client.session.submit_request(0, REQUEST_NV, stream_user_data=marker)
    pump(pair)
    assert seen == [marker]
    assert pair.client.session.get_stream_user_data(1) is None


def test_deferred_then_resumed(version):
    state = {"ready": False}

    def read_cb(session, stream_id, length, read_ctrl, source):
        if not state["ready"]:
            return spdylay.ERR_DEFERRED
        read_ctrl.flags = spdylay.READ_EOF
        return b"late body"

    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, POST_NV, spdylay.DataProvider(None, read_cb))
    frames = peer.sent()
    assert [f.type for f in frames] == [spdylay.SYN_STREAM]
    assert not peer.session.want_write()
    assert peer.sent() == []
    state["ready"] = True
    peer.session.resume_data(1)
    assert peer.session.want_write()
    (data,) = data_frames(peer.sent(), 1)
    assert (data.data, data.flags) == (b"late body", spdylay.DATA_FLAG_FIN)
    with pytest.raises(spdylay.InvalidArgumentError):
        peer.session.resume_data(1)


def test_temporal_failure_resets_the_stream(version):
    def read_cb(session, stream_id, length, read_ctrl, source):
        raise spdylay.TemporalCallbackFailureError("this stream only")

    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, POST_NV, spdylay.DataProvider(None, read_cb))
    frames = peer.sent()
    (rst,) = control_frames(frames, spdylay.RST_STREAM)
    assert (rst.stream_id, rst.status_code) == (1, spdylay.INTERNAL_ERROR)
    assert data_frames(frames) == []
    assert peer.rec.calls("on_stream_close_cb") == [(1, spdylay.INTERNAL_ERROR)]
    peer.session.submit_ping()
    assert len(control_frames(peer.sent(), spdylay.PING)) == 1


def test_callback_failure_fails_the_session(version):
    failure = spdylay.CallbackFailureError("storage gone")

    def read_cb(session, stream_id, length, read_ctrl, source):
        raise failure

    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, POST_NV, spdylay.DataProvider(None, read_cb))
    with pytest.raises(spdylay.CallbackFailureError) as info:
        peer.session.send()
    assert info.value is failure
    assert not peer.session.want_read()
    assert not peer.session.want_write()
    with pytest.raises(spdylay.InvalidStateError):
        peer.session.send()
    with pytest.raises(spdylay.InvalidStateError):
        peer.session.recv(b"")


@pytest.mark.parametrize("result", [12, -1])
def test_bad_read_result_is_callback_failure(version, result):
    def read_cb(session, stream_id, length, read_ctrl, source):
        return result

    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, POST_NV, spdylay.DataProvider(None, read_cb))
    with pytest.raises(spdylay.CallbackFailureError):
        peer.session.send()


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_read_past_length_fails_the_session_before_any_byte_is_written(version, kind):
    """Not even the first ``length`` bytes of an oversized answer go out: after
    the SYN_STREAM the wire carries no DATA frame, and nothing else."""
    asked = []

    def read_cb(session, stream_id, length, read_ctrl, source):
        if not asked:
            asked.append(length)
            return spdylay.ERR_DEFERRED
        asked.append(length)
        return kind(b"x" * length + b"past length")

    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, POST_NV, spdylay.DataProvider(None, read_cb))
    (syn_stream,) = peer.sent()
    assert syn_stream.control and syn_stream.type == spdylay.SYN_STREAM
    wire = bytes(peer.endpoint.wire)
    peer.session.resume_data(1)
    with pytest.raises(spdylay.CallbackFailureError, match="more than"):
        peer.session.send()
    assert len(asked) == 2 and asked[1] > 0
    assert bytes(peer.endpoint.wire) == wire
    assert not peer.session.want_write()


def call_read_callback(answer, length):
    """Runs the read callback the C core calls, for a provider whose read_cb
    returns ``answer``, on a guarded buffer: returns what it returned, the
    buffer afterwards, the guard, and the EOF flag it set."""

    def read_cb(session, stream_id, asked, read_ctrl, source):
        assert asked == 65536
        return answer

    session = RawPeer(spdylay.CLIENT, spdylay.PROTO_SPDY3).session
    provider = spdylay.DataProvider(None, read_cb)
    streams = session._streams
    provider_key = streams.new_provider_key(provider)
    streams.attach(streams.new_key(), None, provider_key, provider)
    guard = b"\xaa" * 32
    buf = ffi.new("char[]", len(guard))
    ffi.memmove(buf, guard, len(guard))
    eof = ffi.new("int *")
    got = lib.pyspdylay_read(session._handle, provider_key, 1, buf, length, eof)
    return got, ffi.buffer(buf)[:], guard, eof[0]


def test_read_callback_never_writes_past_length():
    """The read callback the C core calls copies an answer that fits into
    the core's buffer: not a byte past ``length`` changes."""
    length = 16
    answer = bytes(range(1, length + 1))
    got, written, guard, eof = call_read_callback(answer, length)
    assert got == length
    assert written == answer[:length] + guard[length:]
    assert eof == 0


@pytest.mark.parametrize("extra", [1, 100], ids=["one-more", "many-more"])
def test_read_callback_leaves_a_longer_answer_to_the_shim(extra):
    """An answer longer than the frame's room is kept whole for the shim,
    which serves this frame and the next from it (the wire tests check
    what it serves): the trampoline says so and writes nothing."""
    length = 16
    answer = bytes(range(1, length + extra + 1))
    got, written, guard, eof = call_read_callback(answer, length)
    assert got == lib.PYSPDYLAY_READ_AHEAD
    assert written == guard
    assert eof == 0


def test_read_callback_writes_nothing_for_an_answer_longer_than_asked():
    got, written, guard, eof = call_read_callback(b"x" * 65537, 16)
    assert got == spdylay.ERR_CALLBACK_FAILURE
    assert written == guard
    assert eof == 0


def test_read_cb_may_return_any_bytes_like_object(version):
    read_cb = reads_in_turn([bytearray(b"ab"), memoryview(b"cd"), None])
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, POST_NV, spdylay.DataProvider(None, read_cb))
    frames = data_frames(peer.sent(), 1)
    assert [(f.data, f.flags) for f in frames] == [
        (b"ab", 0),
        (b"cd", 0),
        (b"", spdylay.DATA_FLAG_FIN),
    ]


def test_read_cb_returning_str_propagates_type_error(version):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(
        0,
        POST_NV,
        spdylay.DataProvider(None, lambda session, stream_id, length, read_ctrl, source: "text"),
    )
    with pytest.raises(TypeError):
        peer.session.send()


@pytest.mark.parametrize(
    "flags,last_flags",
    [
        (spdylay.DATA_FLAG_FIN, spdylay.DATA_FLAG_FIN),
        (spdylay.DATA_FLAG_NONE, spdylay.DATA_FLAG_NONE),
    ],
)
def test_submit_data_flags(version, flags, last_flags):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_syn_stream(spdylay.CTRL_FLAG_NONE, 0, 0, POST_NV)
    peer.sent()
    peer.session.submit_data(1, flags, body_provider(b"z" * 5000))
    frames = data_frames(peer.sent(), 1)
    assert b"".join(f.data for f in frames) == b"z" * 5000
    assert frames[-1].flags == last_flags


@pytest.mark.parametrize("user_data", [None, "mine"])
def test_submit_data_provider_kept_until_stream_closes(version, user_data):
    """Whether or not the stream already has user data (and so a key the
    provider is kept under), the provider lives until the stream closes and
    the user data stays."""
    source = Body(b"w" * 3000)
    ref = weakref.ref(source)
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_syn_stream(
        spdylay.CTRL_FLAG_NONE, 0, 0, POST_NV, stream_user_data=user_data
    )
    peer.sent()
    peer.session.submit_data(1, spdylay.DATA_FLAG_FIN, spdylay.DataProvider(source, read_body))
    del source
    collect()
    assert b"".join(f.data for f in data_frames(peer.sent(), 1)) == b"w" * 3000
    assert peer.session.get_stream_user_data(1) == user_data
    assert ref() is not None
    peer.feed(peer.enc.rst_stream(1, spdylay.CANCEL))
    collect()
    assert ref() is None


def test_submit_data_on_a_stream_that_does_not_exist_keeps_nothing(version):
    source = Body(b"n" * 3000)
    ref = weakref.ref(source)
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_data(5, spdylay.DATA_FLAG_FIN, spdylay.DataProvider(source, read_body))
    del source
    collect()
    assert ref() is None
    assert data_frames(peer.sent()) == []


def test_data_submitted_before_a_queued_syn_stream_opens_its_stream_is_sent(version):
    """As libspdylay 1.4 sends it: the DATA is queued behind the SYN_STREAM
    that opens the stream, and its provider, which the program holds, is
    read then and kept until the stream closes."""
    source = Body(b"q" * 5000)
    ref = weakref.ref(source)
    provider = spdylay.DataProvider(source, read_body)
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_syn_stream(spdylay.CTRL_FLAG_NONE, 0, 3, POST_NV)
    peer.session.submit_data(1, spdylay.DATA_FLAG_FIN, provider)
    frames = peer.sent()
    del source, provider
    (syn,) = control_frames(frames, spdylay.SYN_STREAM)
    assert syn.stream_id == 1
    data = data_frames(frames, 1)
    assert b"".join(f.data for f in data) == b"q" * 5000
    assert data[-1].flags == spdylay.DATA_FLAG_FIN
    assert frames.index(syn) < frames.index(data[0])
    collect()
    assert ref() is not None  # the session keeps it now
    peer.feed(peer.enc.rst_stream(1, spdylay.CANCEL))
    collect()
    assert ref() is None


def test_data_whose_provider_was_dropped_before_its_stream_opened_resets_the_stream(version):
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_syn_stream(spdylay.CTRL_FLAG_NONE, 0, 3, POST_NV)
    peer.session.submit_data(1, spdylay.DATA_FLAG_FIN, body_provider(b"q" * 5000))
    collect()
    frames = peer.sent()
    assert data_frames(frames) == []
    (rst,) = control_frames(frames, spdylay.RST_STREAM)
    assert (rst.stream_id, rst.status_code) == (1, spdylay.INTERNAL_ERROR)
    # Only the stream failed: the session goes on.
    assert peer.session.want_read()
    peer.session.submit_request(0, REQUEST_NV)
    (syn,) = control_frames(peer.sent(), spdylay.SYN_STREAM)
    assert syn.stream_id == 3


def test_response_submitted_before_its_request_arrived_is_sent_once_it_has(version):
    source = Body(b"r" * 5000)
    provider = spdylay.DataProvider(source, read_body)
    peer = RawPeer(spdylay.SERVER, version)
    peer.session.submit_response(1, RESPONSE_NV, provider)
    request = [(n.encode(), v.encode()) for n, v in nv_on_wire(version, REQUEST_NV)]
    peer.feed(peer.enc.syn_stream(1, request, flags=spdylay.CTRL_FLAG_FIN))
    frames = peer.sent()
    assert [f.stream_id for f in control_frames(frames, spdylay.SYN_REPLY)] == [1]
    assert b"".join(f.data for f in data_frames(frames, 1)) == b"r" * 5000


@pytest.mark.parametrize("nothing", [b"", None], ids=["empty bytes", "None"])
def test_a_read_cb_with_nothing_yet_is_asked_again_at_the_next_send(version, nothing):
    calls = []
    read_cb = reads_in_turn([nothing, nothing, b"at last"], calls)
    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, POST_NV, spdylay.DataProvider(None, read_cb))
    # No empty DATA frame, and no second call within the same send().
    first = peer.sent()
    assert [f.type for f in first if f.control] == [spdylay.SYN_STREAM]
    assert data_frames(first, 1) == []
    assert calls == [1]
    assert peer.session.want_write()
    assert data_frames(peer.sent(), 1) == []
    assert calls == [1, 1]
    (data,) = data_frames(peer.sent(), 1)
    assert (data.data, data.flags) == (b"at last", spdylay.DATA_FLAG_FIN)
    assert calls == [1, 1, 1]
    assert not peer.session.want_write()


def test_a_stream_closed_while_its_read_cb_had_nothing_yet_is_not_asked_again(version):
    calls = []

    def read_cb(session, stream_id, length, read_ctrl, source):
        calls.append(stream_id)
        return b""

    peer = RawPeer(spdylay.CLIENT, version)
    peer.session.submit_request(0, POST_NV, spdylay.DataProvider(None, read_cb))
    peer.sent()
    peer.feed(peer.enc.rst_stream(1, spdylay.CANCEL))
    assert peer.sent() == []
    assert calls == [1]
    assert not peer.session.want_write()
